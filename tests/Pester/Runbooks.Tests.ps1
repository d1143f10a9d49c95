# The runbooks in runbooks/: well-formed, naming only actions the policies allow, and each script, rendered with its
# parameters, run against the local endpoints the way SSM, Azure Automation and EventBridge would run it.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $script:Url = $script:Ec2.Url
    $script:Runbooks = Join-Path (Get-RepoRoot) 'runbooks'
    $script:ModuleRoot = Split-Path (Split-Path (Get-BuiltModulePath))
    $yaml = Get-ChildItem (Join-Path (Get-NuGetCache) 'yamldotnet/18.1.0/lib/net8.0/YamlDotNet.dll')
    Add-Type -Path $yaml.FullName
    function script:Read-Yaml([string] $Name) {
        $d = [YamlDotNet.Serialization.DeserializerBuilder]::new().Build()
        $d.Deserialize([IO.File]::ReadAllText((Join-Path $script:Runbooks $Name)))
    }
    # Runs a script in a fresh pwsh that finds the built module by name and reaches AWS only on 127.0.0.1.
    function script:Invoke-Runbook([string] $Script, [hashtable] $Environment = @{}) {
        $assign = ($Environment.GetEnumerator() | ForEach-Object { "`$env:$($_.Key) = '$($_.Value -replace "'", "''")'" }) -join "`n"
        @(Invoke-ChildPwsh @"
`$env:PSModulePath = '$script:ModuleRoot' + [IO.Path]::PathSeparator + `$env:PSModulePath
`$env:AWS_ACCESS_KEY_ID = 'AKIDSGNARROWERTEST'; `$env:AWS_SECRET_ACCESS_KEY = 'x'
`$env:AWS_ENDPOINT_URL_EC2 = '$script:Url'; `$env:AWS_ENDPOINT_URL_S3 = '$script:Url'; `$env:AWS_ENDPOINT_URL_STS = '$script:Url'
$assign
$Script
"@ | ForEach-Object { "$_" })
    }
    function script:Set-World {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup sg-0001 -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule tcp 443 443 '10.0.0.0/8' 'lan'))
            New-TestGroup sg-0002 -Rules @(New-TestRule tcp 3389 3389 '0.0.0.0/0' 'rdp')
        ) } } }
        Reset-TestCalls $script:Ec2
    }
    function script:Get-Open { @((Get-TestWorld $script:Ec2).Regions.'us-east-1'.Groups | ForEach-Object { $g = $_; $_.Rules | Where-Object CidrIpv4 -eq '0.0.0.0/0' | ForEach-Object { "$($g.GroupId) $($_.FromPort)" } }) }
    function script:Get-Recorded { @((Invoke-RestMethod "$($script:Url)_control/s3-requests").all | Where-Object Method -eq 'PUT' | ForEach-Object Path) }
}
AfterAll { Stop-TestEc2 $script:Ec2 }

Describe 'SSM Command document' {
    BeforeAll {
        $script:Doc = Read-Yaml 'SgNarrower-CloseOpenIngress.ssm.yaml'
        function script:Render([hashtable] $Values) {
            $lines = $script:Doc['mainSteps'][0]['inputs']['runCommand']
            $text = $lines -join "`n"
            foreach ($p in $script:Doc['parameters'].Keys) {
                $v = if ($Values.ContainsKey($p)) { $Values[$p] } else { $script:Doc['parameters'][$p]['default'] }
                $text = $text.Replace("{{ $p }}", $v)
            }
            $text
        }
    }

    It 'is a well-formed Command document whose Windows and Linux steps run the same script' {
        $script:Doc['schemaVersion'] | Should -Be '2.2'
        $script:Doc['parameters']['WhatIf']['default'] | Should -Be 'true'
        $win = @($script:Doc['mainSteps'][0]['inputs']['runCommand'])
        $linux = @($script:Doc['mainSteps'][1]['inputs']['runCommand'])
        $script:Doc['mainSteps'][0]['action'] | Should -Be 'aws:runPowerShellScript'
        $script:Doc['mainSteps'][1]['action'] | Should -Be 'aws:runShellScript'
        $linux[1..($linux.Count - 3)] | Should -Be $win
    }

    It 'with WhatIf (the default) records the open rules and changes nothing; its output is one short line' {
        Set-World
        $out = Invoke-Runbook (Render @{ Region = 'us-east-1'; BucketName = 'audit' })
        $line = $out[-1]
        $line | Should -BeLike 'SgNarrower us-east-1: 2 open rule(s); Skipped 2 (WhatIf: nothing changed); record: s3://audit/sgnarrower-audit/*'
        $line.Length | Should -BeLessThan 2500
        Get-Open | Should -Be @('sg-0001 22', 'sg-0002 3389')
        @(Get-Recorded).Count | Should -Be 1
    }

    It 'with WhatIf false narrows, for one group when given' {
        Set-World
        $out = Invoke-Runbook (Render @{ Region = 'us-east-1'; BucketName = 'audit'; GroupId = 'sg-0001'; ReplaceWith = '203.0.113.0/24'; WhatIf = 'false' })
        $out[-1] | Should -BeLike 'SgNarrower us-east-1: 1 open rule(s); Narrowed 1; record: s3://audit/*'
        Get-Open | Should -Be @('sg-0002 3389')
    }
}

Describe 'SSM Command document: findings into Security Hub' {
    BeforeAll {
        $script:Moto = Start-TestMoto
        # The AWS CLI the document calls, pointed at moto's Security Hub: the same command line, the real CLI.
        $real = (Get-Command aws -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
        $script:Shim = Join-Path ([IO.Path]::GetTempPath()) ('sgn-cli-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory $script:Shim | Out-Null
        Set-Content (Join-Path $script:Shim 'aws') "#!/bin/sh`nexec '$real' `"`$@`" --endpoint-url '$($script:Moto.Url)'"
        & chmod +x (Join-Path $script:Shim 'aws')
        $script:Doc = Read-Yaml 'SgNarrower-CloseOpenIngress.ssm.yaml'
    }
    AfterAll {
        Stop-TestMoto $script:Moto
        Remove-Item $script:Shim -Recurse -Force -ErrorAction Ignore
    }

    It 'with ImportFindings imports one finding per rule, resolved once revoked' {
        Set-World
        $text = ($script:Doc['mainSteps'][0]['inputs']['runCommand']) -join "`n"
        $values = @{ Region = 'us-east-1'; BucketName = 'audit'; WhatIf = 'false'; ImportFindings = 'true' }
        foreach ($p in $script:Doc['parameters'].Keys) {
            $text = $text.Replace("{{ $p }}", $(if ($values.ContainsKey($p)) { $values[$p] } else { $script:Doc['parameters'][$p]['default'] }))
        }
        $out = Invoke-Runbook $text @{ PATH = "$($script:Shim):$env:PATH"; AWS_DEFAULT_OUTPUT = 'json' }
        $out[-1] | Should -BeLike 'SgNarrower us-east-1: 2 open rule(s); Revoked 2; record: s3://audit/*; findings imported: 2'
        $held = & python3 (Join-Path (Get-RepoRoot) 'tests/findings/securityhub.py') $script:Moto.Url findings '123456789012/us-east-1' | ConvertFrom-Json
        @($held).Count | Should -Be 2
        $held | ForEach-Object { $_.Compliance.Status | Should -Be 'PASSED'; $_.RecordState | Should -Be 'ARCHIVED' }
    }
}

Describe 'Azure Automation runbook' {
    It 'takes its keys from Automation variables, records and revokes' {
        Set-World
        $runbook = Join-Path $script:Runbooks 'Invoke-SgNarrower.AzureAutomation.ps1'
        $out = Invoke-Runbook @"
Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY
# What Azure Automation provides to a runbook.
function Get-AutomationVariable([string] `$Name) { @{ SgNarrowerAccessKey = 'AKIDFROMAUTOMATION'; SgNarrowerSecretKey = 'automation-secret' }[`$Name] }
& '$runbook' -Region us-east-1 -BucketName audit -WhatIf `$false
"@
        $out[-1] | Should -BeLike 'SgNarrower us-east-1: 2 open rule(s); Revoked 2; record: s3://audit/sgnarrower-audit/*'
        Get-Open | Should -BeNullOrEmpty
        (Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress)[0].AccessKey | Should -Be 'AKIDFROMAUTOMATION'
    }
}

Describe 'Event-driven closing (CloudFormation)' {
    BeforeAll { $script:Template = Read-Yaml 'sgnarrower-event-closer.cfn.yaml' }

    It 'is a well-formed template: the Automation document, both rules on CloudTrail events, and the roles' {
        $r = $script:Template['Resources']
        $r['CloseOpenIngressDocument']['Type'] | Should -Be 'AWS::SSM::Document'
        $r['CloseOpenIngressDocument']['Properties']['DocumentType'] | Should -Be 'Automation'
        $r['OnAuthorizeIngress']['Properties']['EventPattern']['detail']['eventName'] | Should -Be @('AuthorizeSecurityGroupIngress')
        $r['OnModifyRules']['Properties']['EventPattern']['detail']['eventName'] | Should -Be @('ModifySecurityGroupRules')
        $r['OnAuthorizeIngress']['Properties']['Targets'][0]['InputTransformer']['InputPathsMap']['groupId'] | Should -Be '$.detail.responseElements.securityGroupRuleSet.items[0].groupId'
        $r['AutomationRole']['Type'] | Should -Be 'AWS::IAM::Role'
    }

    It 'names only actions the policies in policies/ allow (and the plumbing to start the automation)' {
        $named = foreach ($role in 'AutomationRole', 'EventsRole') {
            foreach ($p in $script:Template['Resources'][$role]['Properties']['Policies']) {
                # A statement under a condition (Fn::If) counts as the statement it would be.
                foreach ($st in $p['PolicyDocument']['Statement']) { if ($st.ContainsKey('Fn::If')) { $st['Fn::If'][1]['Action'] } else { $st['Action'] } }
            }
        }
        $allowed = Get-ChildItem (Join-Path (Get-RepoRoot) 'policies') -Filter *.json | ForEach-Object { (Get-Content $_.FullName -Raw | ConvertFrom-Json).Statement.Action }
        $plumbing = 'ssm:StartAutomationExecution', 'iam:PassRole'
        foreach ($a in $named) { $a | Should -BeIn (@($allowed) + $plumbing) }
    }

    It 'runs, for the group named in the event, the way aws:executeScript runs it' {
        Set-World
        $step = $script:Template['Resources']['CloseOpenIngressDocument']['Properties']['Content']['mainSteps'][0]
        $step['inputs']['Runtime'] | Should -BeLike 'PowerShell 7*'
        # The event's group and region, as the rule's input transformer hands them over.
        $payload = @{ GroupId = 'sg-0002'; Region = 'us-east-1'; AuditBucket = 'audit'; ModuleS3Uri = ''; ReplaceWith = ''; WhatIf = 'false' } | ConvertTo-Json -Compress
        # executeScript takes the script's returned hashtable as the step's payload; Summary is the step's output.
        $out = Invoke-Runbook ("`$payload = & {`n" + $step['inputs']['Script'] + "`n}`n'OUTPUT ' + `$payload.Summary") @{ InputPayload = $payload }
        $out[-1] | Should -BeLike 'OUTPUT SgNarrower us-east-1 sg-0002: 1 open rule(s); Revoked 1; record: s3://audit/*'
        Get-Open | Should -Be @('sg-0001 22')
    }

    Context 'CloudTrail events in every shape AWS writes them' {
        BeforeAll {
            # What EventBridge does with an event: match the rule's pattern, then fill the target's input from its paths
            # (dot notation and array indices, as the EventBridge User Guide documents for input transformers).
            function script:Get-EventPath($Event, [string] $Path) {
                $node = $Event
                foreach ($part in $Path.Substring(2).Split('.')) {
                    if ($null -eq $node) { return $null }
                    if ($part -match '^(?<name>[^\[]+)\[(?<i>\d+)\]$') {
                        $list = $node[$Matches.name]
                        $node = if ($null -ne $list -and $list.Count -gt [int]$Matches.i) { $list[[int]$Matches.i] } else { $null }
                    } else { $node = $node[$part] }
                }
                $node
            }
            function script:Test-EventPattern($Pattern, $Event) {
                ($Pattern['source'] -contains $Event['source']) -and ($Pattern['detail-type'] -contains $Event['detail-type']) -and
                ($Pattern['detail']['eventSource'] -contains $Event['detail']['eventSource']) -and
                ($Pattern['detail']['eventName'] -contains $Event['detail']['eventName']) -and -not $Event['detail'].ContainsKey('errorCode')
            }
            function script:Invoke-Rule([string] $EventFile) {
                $event = Get-Content (Join-Path $PSScriptRoot "cloudtrail/$EventFile") -Raw | ConvertFrom-Json -AsHashtable
                $rules = foreach ($name in 'OnAuthorizeIngress', 'OnModifyRules') {
                    $r = $script:Template['Resources'][$name]['Properties']
                    if (Test-EventPattern $r['EventPattern'] $event) { $r }
                }
                @($rules).Count | Should -Be 1 -Because "exactly one rule takes a $($event['detail']['eventName']) event"
                $transformer = @($rules)[0]['Targets'][0]['InputTransformer']
                # CloudFormation's Fn::Sub fills in the stack's own values; EventBridge then fills in the event's.
                $text = $transformer['InputTemplate']['Fn::Sub']
                foreach ($kv in $transformer['InputPathsMap'].GetEnumerator()) { $text = $text.Replace("<$($kv.Key)>", [string](Get-EventPath $event $kv.Value)) }
                # The automation's parameters as its document declares them: the group must be a group id.
                $params = ($text -replace '\$\{[A-Za-z.]+\}', '') | ConvertFrom-Json -AsHashtable
                $declared = $script:Template['Resources']['CloseOpenIngressDocument']['Properties']['Content']['parameters']
                $params['GroupId'][0] | Should -Match $declared['GroupId']['allowedPattern']
                $params['Region'][0] | Should -Match $declared['Region']['allowedPattern']
                $step = $script:Template['Resources']['CloseOpenIngressDocument']['Properties']['Content']['mainSteps'][0]
                $payload = @{ GroupId = $params['GroupId'][0]; Region = $params['Region'][0]; AuditBucket = 'audit'; ModuleS3Uri = ''; ReplaceWith = ''; WhatIf = 'false' } | ConvertTo-Json -Compress
                Invoke-Runbook ("`$payload = & {`n" + $step['inputs']['Script'] + "`n}`n'OUTPUT ' + `$payload.Summary") @{ InputPayload = $payload }
            }
        }

        It 'closes the group named in <File>, and only that group' -ForEach @(
            @{ File = 'authorize-by-group-id.json' }
            @{ File = 'authorize-by-group-name.json' }
            @{ File = 'authorize-from-stack.json' }
            @{ File = 'modify-rules.json' }
        ) {
            Set-World
            $out = Invoke-Rule $File
            $out[-1] | Should -BeLike 'OUTPUT SgNarrower us-east-1 sg-0002: 1 open rule(s); Revoked 1; record: s3://audit/*'
            Get-Open | Should -Be @('sg-0001 22')
            @(Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress | ForEach-Object GroupId) | Should -Be @('sg-0002')
        }

        It 'takes no event whose call failed' {
            $event = Get-Content (Join-Path $PSScriptRoot 'cloudtrail/authorize-by-group-name.json') -Raw | ConvertFrom-Json -AsHashtable
            $event['detail']['errorCode'] = 'Client.InvalidPermission.Duplicate'
            Test-EventPattern $script:Template['Resources']['OnAuthorizeIngress']['Properties']['EventPattern'] $event | Should -BeFalse
        }
    }
}

Describe 'Every runbook signs its record the same way' {
    BeforeAll {
        # KMS is moto's (the project's endpoint serves no KMS): the key, its signatures and their checks.
        $script:KmsMoto = Start-TestMoto
        $ids = Set-MotoWorld $script:KmsMoto @{} -Keys @(@{ alias = 'alias/sgn-records' })
        $script:SigningKey = $ids['kms/alias/sgn-records']
        $script:KmsEnv = @{ AWS_ENDPOINT_URL_KMS = $script:KmsMoto.Url }
        # Checks the record a runbook wrote, in the stand-in S3, against the signing key: prints 'VALID <bool> <problem>'.
        function script:Test-Written([string] $Uri) {
            $out = Invoke-Runbook "Import-Module SgNarrower; `$c = Test-IngressRecord -Uri '$Uri' -Region us-east-1 -SigningKeyId '$($script:SigningKey)'; 'VALID ' + `$c.Valid + ' ' + `$c.Problem" $script:KmsEnv
            $line = @($out | Where-Object { "$_" -like 'VALID *' }) | Select-Object -Last 1
            if (-not $line) { throw "Test-IngressRecord said: $($out -join "`n")" }
            "$line".Trim()
        }
    }
    AfterAll { Stop-TestMoto $script:KmsMoto }

    It 'the SSM document' {
        Set-World
        $doc = Read-Yaml 'SgNarrower-CloseOpenIngress.ssm.yaml'
        $text = ($doc['mainSteps'][0]['inputs']['runCommand']) -join "`n"
        $values = @{ Region = 'us-east-1'; BucketName = 'audit'; WhatIf = 'false'; SigningKeyId = $script:SigningKey }
        foreach ($p in $doc['parameters'].Keys) { $text = $text.Replace("{{ $p }}", $(if ($values.ContainsKey($p)) { $values[$p] } else { $doc['parameters'][$p]['default'] })) }
        $script:SigningKey | Should -Match $doc['parameters']['SigningKeyId']['allowedPattern']
        $out = Invoke-Runbook $text $script:KmsEnv
        $out[-1] | Should -BeLike 'SgNarrower us-east-1: 2 open rule(s); Revoked 2; record: s3://audit/*'
        Test-Written ($out[-1] -replace '^.*record: ', '') | Should -Be 'VALID True'
    }

    It 'the Azure Automation runbook' {
        Set-World
        $runbook = Join-Path $script:Runbooks 'Invoke-SgNarrower.AzureAutomation.ps1'
        $out = Invoke-Runbook @"
function Get-AutomationVariable([string] `$Name) { @{ SgNarrowerAccessKey = 'AKIDFROMAUTOMATION'; SgNarrowerSecretKey = 'automation-secret' }[`$Name] }
& '$runbook' -Region us-east-1 -BucketName audit -SigningKeyId '$($script:SigningKey)' -WhatIf `$false
"@ $script:KmsEnv
        $out[-1] | Should -BeLike 'SgNarrower us-east-1: 2 open rule(s); Revoked 2; record: s3://audit/*'
        Test-Written ($out[-1] -replace '^.*record: ', '') | Should -Be 'VALID True'
    }

    It 'the event-driven closer' {
        Set-World
        $template = Read-Yaml 'sgnarrower-event-closer.cfn.yaml'
        $template['Parameters']['SigningKeyId']['Default'] | Should -Be ''
        $step = $template['Resources']['CloseOpenIngressDocument']['Properties']['Content']['mainSteps'][0]
        $payload = @{ GroupId = 'sg-0002'; Region = 'us-east-1'; AuditBucket = 'audit'; ModuleS3Uri = ''; ReplaceWith = ''; WhatIf = 'false'; SigningKeyId = $script:SigningKey } | ConvertTo-Json -Compress
        $out = Invoke-Runbook ("`$payload = & {`n" + $step['inputs']['Script'] + "`n}`n'OUTPUT ' + `$payload.Summary") (@{ InputPayload = $payload } + $script:KmsEnv)
        $out[-1] | Should -BeLike 'OUTPUT SgNarrower us-east-1 sg-0002: 1 open rule(s); Revoked 1; record: s3://audit/*'
        Test-Written ($out[-1] -replace '^.*record: ', '') | Should -Be 'VALID True'
    }
}
