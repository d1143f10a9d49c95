# Export-IngressFinding: ASFF checked against Security Hub's published model (botocore's securityhub service model),
# imported into an emulator's Security Hub (moto) and read back, through a rule's whole life; OCSF against the
# Detection Finding class's required attributes.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $script:Moto = Start-TestMoto
    $script:Conn = @{ Region = 'us-east-1'; EndpointUrl = $script:Ec2.Url }
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) ('sgn-findings-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $script:Folder | Out-Null

    Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{
        groups = @(
            New-TestGroup sg-0d01 -Name bastion -Tags @{ team = 'platform'; empty = '' } -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule tcp 22 22 '::/0' 'ssh6'))
            New-TestGroup sg-0d02 -Name web -Rules @(New-TestRule tcp 443 443 '0.0.0.0/0' 'https')
            New-TestGroup sg-0d03 -Name spare -Rules @((New-TestRule tcp 5432 5432 '0.0.0.0/0' 'db'), (New-TestRule -Protocol '-1' -Cidr '0.0.0.0/0'), (New-TestRule icmp 8 -1 '0.0.0.0/0' 'ping'))
        )
        networkInterfaces = @(@{ networkInterfaceId = 'eni-pub'; subnetId = 'subnet-public'; instanceId = 'i-web'; publicIp = '198.51.100.10'; groups = @('sg-0d01', 'sg-0d02') })
        routeTables = @(@{ routeTableId = 'rtb-public'; main = $true; routes = @{ '0.0.0.0/0' = 'igw-1' } })
    } } }

    function script:Test-Asff([string[]] $Files) {
        $json = & python3 (Join-Path (Get-RepoRoot) 'tests/findings/check_asff.py') @Files
        if ($LASTEXITCODE -ne 0) { throw 'check_asff.py could not run.' }
        @($json | ConvertFrom-Json)
    }
    function script:Invoke-SecurityHub([string] $Command, [string[]] $Arguments) {
        $json = & python3 (Join-Path (Get-RepoRoot) 'tests/findings/securityhub.py') $script:Moto.Url $Command @Arguments
        if ($LASTEXITCODE -ne 0) { throw "securityhub.py $Command failed." }
        $json | ConvertFrom-Json
    }
    function script:Read-Findings([string] $Folder) {
        @(Get-ChildItem $Folder -Filter 'sgnarrower-asff-*.json' | Sort-Object Name | ForEach-Object { Get-Content $_.FullName -Raw | ConvertFrom-Json } | ForEach-Object { $_ })
    }

    $script:Rules = @(Get-OpenIngressRule @script:Conn -IncludeExposure | Export-IngressAudit -Path $script:Folder -PassThru)
    $script:First = Join-Path $script:Folder 'first'
    $script:Files = @($script:Rules | Export-IngressFinding -Path $script:First)
    $script:Findings = Read-Findings $script:First
}
AfterAll {
    Stop-TestEc2 $script:Ec2
    Stop-TestMoto $script:Moto
    Remove-Item $script:Folder -Recurse -Force -ErrorAction Ignore
}

Describe 'ASFF for Security Hub' {
    It 'writes one finding per open rule, in a file of its account and region with the command that imports it' {
        $script:Files.Count | Should -Be 1
        $script:Files[0].Format | Should -Be 'Asff'
        $script:Files[0].AccountId | Should -Be '123456789012'
        $script:Files[0].Region | Should -Be 'us-east-1'
        $script:Files[0].FindingCount | Should -Be $script:Rules.Count
        $script:Files[0].ImportCommand | Should -Be "aws securityhub batch-import-findings --region us-east-1 --findings file://$($script:Files[0].Path)"
        $script:Findings.Count | Should -Be $script:Rules.Count
        @($script:Findings.Id | Sort-Object -Unique).Count | Should -Be $script:Rules.Count
    }

    It 'is valid against the AwsSecurityFinding shape of the Security Hub service model' {
        Test-Asff $script:Files.Path | Should -BeNullOrEmpty
    }

    It 'the model check finds what is wrong (a finding without a title, a record state Security Hub does not know)' {
        $bad = Join-Path $script:Folder 'bad-asff.json'
        $f = $script:Findings[0] | ConvertTo-Json -Depth 20 | ConvertFrom-Json
        $f.PSObject.Properties.Remove('Title')
        $f.RecordState = 'OPEN'
        Set-Content $bad (ConvertTo-Json @($f) -Depth 20)
        $problems = Test-Asff $bad
        $problems | Should -HaveCount 2
        $problems -join "`n" | Should -Match 'required member Title'
        $problems -join "`n" | Should -Match "'OPEN' is not one of"
    }

    It 'describes the group, the rule, its exposure and its record' {
        $ssh = $script:Findings | Where-Object { $_.Resources[0].Details.AwsEc2SecurityGroup.IpPermissions[0].IpRanges.CidrIp -eq '0.0.0.0/0' -and $_.Resources[0].Details.AwsEc2SecurityGroup.GroupId -eq 'sg-0d01' }
        $ssh.Id | Should -Be 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0d01/ingress/tcp/22/22/0.0.0.0/0'
        $ssh.ProductArn | Should -Be 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default'
        $ssh.SchemaVersion | Should -Be '2018-10-08'
        $ssh.Resources[0].Type | Should -Be 'AwsEc2SecurityGroup'
        $ssh.Resources[0].Id | Should -Be 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0d01'
        $ssh.Resources[0].Details.AwsEc2SecurityGroup.GroupName | Should -Be 'bastion'
        $ssh.Resources[0].Details.AwsEc2SecurityGroup.IpPermissions[0].FromPort | Should -Be 22
        # Security Hub takes no empty tag value.
        $ssh.Resources[0].Tags.team | Should -Be 'platform'
        $ssh.Resources[0].Tags.PSObject.Properties.Name | Should -Not -Contain 'empty'
        $ssh.Title | Should -Be 'Security group sg-0d01 allows tcp 22 from 0.0.0.0/0'
        $ssh.Description | Should -BeLike '*attached network interface is reachable from the internet (1 interface(s): i-web)*'
        $ssh.ProductFields.'SgNarrower/AuditUri' | Should -Be $script:Rules[0].AuditUri
        $ssh.ProductFields.'SgNarrower/SecurityGroupRuleId' | Should -BeLike 'sgr-*'
    }

    It 'scores severity and names the control from exposure and port, as the documented table says' {
        $by = @{}
        foreach ($f in $script:Findings) { $by[$f.Id.Substring($f.Id.IndexOf('/') + 1)] = $f }
        $case = {
            param($key, $severity, $status, $control)
            $f = $by[$key]
            $f.Severity.Label | Should -Be $severity -Because $key
            $f.FindingProviderFields.Severity.Label | Should -Be $severity
            $f.Compliance.Status | Should -Be $status -Because $key
            if ($control) { $f.Compliance.RelatedRequirements | Should -Be @("aws-foundational-security-best-practices/v/1.0.0/$control") }
            else { $f.Compliance.PSObject.Properties.Name | Should -Not -Contain 'RelatedRequirements' }
            $f.Workflow.Status | Should -Be 'NEW'
            $f.RecordState | Should -Be 'ACTIVE'
        }
        & $case 'sg-0d01/ingress/tcp/22/22/0.0.0.0/0' CRITICAL FAILED EC2.19     # public, high-risk port
        & $case 'sg-0d01/ingress/tcp/22/22/::/0' MEDIUM FAILED EC2.19            # no IPv6 address: attached, not reachable
        & $case 'sg-0d02/ingress/tcp/443/443/0.0.0.0/0' LOW WARNING $null        # a port EC2.18 authorizes
        & $case 'sg-0d03/ingress/tcp/5432/5432/0.0.0.0/0' LOW FAILED EC2.19      # nothing carries the group
        & $case 'sg-0d03/ingress/-1/-1/-1/0.0.0.0/0' LOW FAILED EC2.19
        & $case 'sg-0d03/ingress/icmp/8/-1/0.0.0.0/0' LOW FAILED EC2.18
    }

    It 'imports into Security Hub and reads back the same findings' {
        Reset-TestMoto $script:Moto
        $answer = Invoke-SecurityHub import $script:Files.Path
        $answer.imported | Should -Be $script:Rules.Count
        $answer.failed | Should -BeNullOrEmpty
        $held = @(Invoke-SecurityHub findings '123456789012/us-east-1')
        @($held.Id | Sort-Object) | Should -Be @($script:Findings.Id | Sort-Object)
        ($held | Where-Object { $_.Compliance.Status -eq 'FAILED' }).Count | Should -Be 5
    }

    It 'updates the same findings when a rule is revoked (PASSED, RESOLVED, ARCHIVED) and again when it is put back' {
        $sshId = 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0d01/ingress/tcp/22/22/0.0.0.0/0'
        $results = @($script:Rules | Where-Object GroupId -eq 'sg-0d01' | Revoke-OpenIngressRule @script:Conn -Force)
        $results.Status | Should -Be @('Revoked', 'Revoked')
        $after = Join-Path $script:Folder 'after-revoke'
        $files = @($results | Export-IngressFinding -Path $after)
        Test-Asff $files.Path | Should -BeNullOrEmpty
        $revoked = Read-Findings $after | Where-Object Id -eq $sshId
        $revoked.Compliance.Status | Should -Be 'PASSED'
        $revoked.Workflow.Status | Should -Be 'RESOLVED'
        $revoked.RecordState | Should -Be 'ARCHIVED'
        $revoked.Severity.Label | Should -Be 'INFORMATIONAL'
        (Invoke-SecurityHub import $files.Path).imported | Should -Be 2
        $held = @(Invoke-SecurityHub findings '123456789012/us-east-1')
        $held.Count | Should -Be $script:Rules.Count
        ($held | Where-Object Id -eq $sshId).Compliance.Status | Should -Be 'PASSED'
        ($held | Where-Object Id -eq $sshId).RecordState | Should -Be 'ARCHIVED'

        $restored = @(Restore-IngressRule -TrustUnsignedRecord -Path $script:Rules[0].AuditUri @script:Conn -Force | Where-Object Status -eq 'Restored')
        $restored.Count | Should -Be 2
        $back = Join-Path $script:Folder 'after-restore'
        $files = @($restored | Export-IngressFinding -Path $back)
        $again = Read-Findings $back | Where-Object Id -eq $sshId
        $again.Compliance.Status | Should -Be 'FAILED'
        $again.Workflow.Status | Should -Be 'NEW'
        $again.RecordState | Should -Be 'ACTIVE'
        (Invoke-SecurityHub import $files.Path).imported | Should -Be 2
        (@(Invoke-SecurityHub findings '123456789012/us-east-1') | Where-Object Id -eq $sshId).RecordState | Should -Be 'ACTIVE'
    }

    It 'suppresses the finding of a rule a live exception keeps open, with its note, and makes it new again once the exception has ended' {
        $entry = [ordered]@{ AccountId = '123456789012'; Region = 'us-east-1'; GroupId = 'sg-0d02'; SecurityGroupRuleId = '*'; IpProtocol = 'tcp'
            FromPort = 443; ToPort = 443; Source = '0.0.0.0/0'; Owner = 'alice@example.com'; Reason = 'storefront'; Ticket = 'CHG-1'; Ends = '2099-01-01T00:00:00Z' }
        $file = Join-Path $script:Folder 'exceptions.json'
        @{ Exceptions = @($entry) } | ConvertTo-Json -Depth 4 | Set-Content $file
        $webId = 'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0d02/ingress/tcp/443/443/0.0.0.0/0'
        $suppressed = Join-Path $script:Folder 'suppressed'
        $files = @(Get-OpenIngressRule @script:Conn -GroupId sg-0d02 -ExceptionPath $file | Export-IngressFinding -Path $suppressed)
        Test-Asff $files.Path | Should -BeNullOrEmpty
        $finding = Read-Findings $suppressed | Where-Object Id -eq $webId
        $finding.Workflow.Status | Should -Be 'SUPPRESSED'
        $finding.Note.Text | Should -BeLike '*CHG-1, owner alice@example.com), until 2099-01-01T00:00:00Z: storefront*'
        $finding.RecordState | Should -Be 'ACTIVE'
        (Invoke-SecurityHub import $files.Path).imported | Should -Be 1
        $held = @(Invoke-SecurityHub findings '123456789012/us-east-1') | Where-Object Id -eq $webId
        $held.Workflow.Status | Should -Be 'SUPPRESSED'
        $held.Note.Text | Should -BeLike '*alice@example.com*'

        $entry.Ends = '2020-01-01T00:00:00Z'
        @{ Exceptions = @($entry) } | ConvertTo-Json -Depth 4 | Set-Content $file
        $ended = Join-Path $script:Folder 'ended'
        $files = @(Get-OpenIngressRule @script:Conn -GroupId sg-0d02 -ExceptionPath $file | Export-IngressFinding -Path $ended)
        $finding = Read-Findings $ended | Where-Object Id -eq $webId
        $finding.Workflow.Status | Should -Be 'NEW'
        $finding.Note.Text | Should -BeLike '*ended 2020-01-01T00:00:00Z*'
        (Invoke-SecurityHub import $files.Path).imported | Should -Be 1
        (@(Invoke-SecurityHub findings '123456789012/us-east-1') | Where-Object Id -eq $webId).Workflow.Status | Should -Be 'NEW'
    }

    It 'keeps each rule at its latest state when several records hold it' {
        $records = Join-Path $script:Folder 'two-runs'
        New-Item -ItemType Directory $records | Out-Null
        $line = @{ OwnerId = '123456789012'; Region = 'us-east-1'; GroupId = 'sg-0e01'; IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '0.0.0.0/0' }
        Set-Content (Join-Path $records 'b.jsonl') (New-TestRecordLine 'run-1' '2026-11-01T00:00:00.000Z' $line)
        Set-Content (Join-Path $records 'a.jsonl') (New-TestRecordLine 'run-2' '2026-11-02T00:00:00.000Z' ($line + @{ Status = 'Revoked' }))
        $f = @(Export-IngressFinding -RecordPath $records -Path (Join-Path $records 'out'))
        $finding = Read-Findings (Join-Path $records 'out')
        $finding.Count | Should -Be 1
        $finding.Compliance.Status | Should -Be 'PASSED'
        # First seen in the earlier record, updated by the later one (as written, before any reader turns it into a date).
        $raw = Get-Content $f[0].Path -Raw
        $raw | Should -Match '"CreatedAt":"2026-11-01T00:00:00\.000Z"'
        $raw | Should -Match '"UpdatedAt":"2026-11-02T00:00:00\.000Z"'
    }

    It 'writes batches BatchImportFindings takes: at most 100 findings, one account and region a file' {
        $records = Join-Path $script:Folder 'many.jsonl'
        $n = 0
        $lines = foreach ($scope in @(@('123456789012', 'us-east-1', 250), @('210987654321', 'eu-west-1', 30))) {
            foreach ($i in 1..$scope[2]) {
                $n++
                New-TestRecordLine 'run-many' '2026-12-01T00:00:00.000Z' @{ OwnerId = $scope[0]; Region = $scope[1]; GroupId = ('sg-{0:x8}' -f $n); IpProtocol = 'tcp'; FromPort = 3389; ToPort = 3389; CidrIpv4 = '0.0.0.0/0' }
            }
        }
        Set-Content $records $lines
        $out = Join-Path $script:Folder 'many'
        $files = @(Export-IngressFinding -RecordPath $records -Path $out)
        $files | ForEach-Object { "$($_.AccountId) $($_.Region) $($_.FindingCount) $(Split-Path -Leaf $_.Path)" } | Should -Be @(
            '123456789012 us-east-1 100 sgnarrower-asff-123456789012-us-east-1-001.json'
            '123456789012 us-east-1 100 sgnarrower-asff-123456789012-us-east-1-002.json'
            '123456789012 us-east-1 50 sgnarrower-asff-123456789012-us-east-1-003.json'
            '210987654321 eu-west-1 30 sgnarrower-asff-210987654321-eu-west-1-001.json')
        Test-Asff $files.Path | Should -BeNullOrEmpty
        Reset-TestMoto $script:Moto
        (Invoke-SecurityHub import $files.Path).imported | Should -Be 280
        @(Invoke-SecurityHub findings '123456789012/us-east-1').Count | Should -Be 250
        @(Invoke-SecurityHub findings '210987654321/eu-west-1').Count | Should -Be 30
    }

    It 'refuses rules without an account or region, and writes nothing' {
        $out = Join-Path $script:Folder 'none'
        { Get-OpenIngressRule -Path (Join-Path (Get-RepoRoot) 'samples/security-groups.json') | Export-IngressFinding -Path $out } |
            Should -Throw -ErrorId 'FindingScopeUnknown,SgNarrower.Commands.ExportIngressFindingCommand' -ExpectedMessage '*no account (OwnerId) or region*'
        $out | Should -Not -Exist
    }

    It 'does not overwrite findings without -Force' {
        { $script:Rules | Export-IngressFinding -Path $script:First } | Should -Throw -ErrorId 'FileExists,SgNarrower.Commands.ExportIngressFindingCommand'
        @($script:Rules | Export-IngressFinding -Path $script:First -Force).Count | Should -Be 1
    }
}

Describe 'OCSF Detection Findings for Security Lake and SIEMs' {
    BeforeAll {
        $script:Ocsf = Join-Path $script:Folder 'ocsf'
        $script:OcsfFile = @($script:Rules | Export-IngressFinding -Path $script:Ocsf -Format Ocsf)
        $script:Events = @(Get-Content $script:OcsfFile[0].Path -Raw | ConvertFrom-Json | ForEach-Object { $_ })
    }

    It 'has every attribute the Detection Finding class (OCSF 1.1.0) and its cloud profile require' {
        $script:OcsfFile[0].FindingCount | Should -Be $script:Rules.Count
        $script:Events.Count | Should -Be $script:Rules.Count
        foreach ($e in $script:Events) {
            # Base event and Finding: required attributes.
            foreach ($name in 'activity_id', 'category_uid', 'class_uid', 'finding_info', 'metadata', 'severity_id', 'time', 'type_uid', 'cloud') {
                $e.PSObject.Properties.Name | Should -Contain $name
            }
            $e.class_uid | Should -Be 2004
            $e.category_uid | Should -Be 2
            $e.type_uid | Should -Be (2004 * 100 + $e.activity_id)
            $e.activity_id | Should -BeIn 1, 2, 3
            $e.severity_id | Should -BeIn 1, 2, 3, 4, 5
            $e.time | Should -BeOfType [long]
            $e.metadata.version | Should -Be '1.1.0'
            $e.metadata.product.vendor_name | Should -Be 'SgNarrower'
            $e.metadata.product.name | Should -Be 'SgNarrower'
            $e.finding_info.uid | Should -Not -BeNullOrEmpty
            $e.finding_info.title | Should -Not -BeNullOrEmpty
            $e.cloud.provider | Should -Be 'AWS'
            $e.resources[0].type | Should -Be 'AWS::EC2::SecurityGroup'
        }
    }

    It 'says the same as the ASFF findings: ids, titles and severity' {
        @($script:Events.finding_info.uid | Sort-Object) | Should -Be @($script:Findings.Id | Sort-Object)
        $labels = @{ INFORMATIONAL = 1; LOW = 2; MEDIUM = 3; HIGH = 4; CRITICAL = 5 }
        foreach ($f in $script:Findings) {
            $e = $script:Events | Where-Object { $_.finding_info.uid -eq $f.Id }
            $e.severity_id | Should -Be $labels[$f.Severity.Label]
            $e.finding_info.title | Should -Be $f.Title
            $e.activity_id | Should -Be 1
            $e.status | Should -Be 'New'
        }
    }
}
