# The main pipelines against moto, an independent AWS emulator (tests/moto/server.py patches it where it differs from
# AWS's documentation). moto keeps each region's and account's state apart by the request's SigV4 scope and access
# key, as AWS does, so a request signed for another region than the one it acts in shows here. Each pipeline runs in
# a fresh pwsh with endpoints configured the AWS way (AWS_ENDPOINT_URL, a profile), as a user's would.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Moto = Start-TestMoto
    $script:Module = Get-BuiltModulePath
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) ('sgn-moto-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $script:Folder | Out-Null
    $script:Own = '123456789012'

    function Invoke-MotoPipeline {
        # Runs a script in a child pwsh with the module imported and the environment given; returns what the script
        # writes with Write-Result, as objects, and the rest of its output as text.
        param([string] $Script, [hashtable] $Environment = @{}, [switch] $Async)
        # Nothing of the test process's own AWS setup (other tests' endpoints, keys, profiles) reaches the child.
        $lines = @('$ErrorActionPreference = ''Continue''', 'Get-ChildItem Env:AWS_* | Remove-Item', "`$env:AWS_EC2_METADATA_DISABLED = 'true'")
        $env = @{ AWS_ENDPOINT_URL = $script:Moto.Url; AWS_ACCESS_KEY_ID = 'AKIDMOTOTEST'; AWS_SECRET_ACCESS_KEY = 'moto-secret' }
        foreach ($k in $Environment.Keys) { $env[$k] = $Environment[$k] }
        foreach ($k in $env.Keys) { if ($null -ne $env[$k]) { $lines += "`$env:$k = '$($env[$k])'" } }
        $lines += "Import-Module '$script:Module'"
        $lines += 'function Write-Result { process { ''RESULT '' + ($_ | Select-Object @{ n = ''Status''; e = { "$($_.Status)" } }, Region, OwnerId, GroupId, GroupName, SecurityGroupRuleId, Rule, Error, ErrorId, AuditUri, NewRuleIds | ConvertTo-Json -Compress -Depth 4) } }'
        $lines += $Script
        $text = $lines -join "`n"
        if ($Async) {
            $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("`$PSStyle.OutputRendering = 'PlainText'`n" + $text))
            $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
            foreach ($a in 'tool', 'run', 'pwsh', '--', '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) { $psi.ArgumentList.Add($a) }
            $psi.WorkingDirectory = Get-RepoRoot
            $psi.RedirectStandardOutput = $true
            $psi.RedirectStandardError = $true
            $psi.UseShellExecute = $false
            $p = [System.Diagnostics.Process]::Start($psi)
            return [pscustomobject]@{ Process = $p; Output = $p.StandardOutput.ReadToEndAsync(); Errors = $p.StandardError.ReadToEndAsync() }
        }
        ConvertFrom-ChildOutput (Invoke-ChildPwsh $text)
    }

    function ConvertFrom-ChildOutput {
        param([object[]] $Output)
        # Colour escapes (an error record's rendering) would not survive into a test report.
        $lines = @($Output | ForEach-Object { "$_" -replace "\x1b\[[0-9;]*[A-Za-z]", '' })
        $results = @($lines | Where-Object { $_ -like 'RESULT *' } | ForEach-Object { $_.Substring(7) | ConvertFrom-Json })
        [pscustomobject]@{ Results = $results; Text = (@($lines | Where-Object { $_ -notlike 'RESULT *' }) -join "`n") }
    }

    function Get-OpenMotoRules {
        param([string[]] $Account = @($script:Own), [string[]] $Region)
        @(Get-MotoRules $script:Moto -Account $Account -Region $Region | Where-Object { $_.CidrIpv4 -eq '0.0.0.0/0' -or $_.CidrIpv6 -eq '::/0' })
    }

    function New-OpenGroup {
        param([string] $Name, [int] $Port = 22)
        @{ name = $Name; rules = @(
            @{ IpProtocol = 'tcp'; FromPort = $Port; ToPort = $Port; CidrIpv4 = '0.0.0.0/0'; Description = "$Name v4" }
            @{ IpProtocol = 'tcp'; FromPort = $Port; ToPort = $Port; CidrIpv6 = '::/0' }
            @{ IpProtocol = 'tcp'; FromPort = 443; ToPort = 443; CidrIpv4 = '10.0.0.0/8'; Description = 'private' }) }
    }
}

AfterAll {
    Stop-TestMoto $script:Moto
    if ($script:Folder -and $script:Folder.StartsWith([IO.Path]::GetTempPath())) { Remove-Item $script:Folder -Recurse -Force -ErrorAction Ignore }
}

Describe 'Against moto: every call in its own region' {
    It 'scans and revokes two regions through one AWS_ENDPOINT_URL, with AWS_REGION <Case>' -ForEach @(
        @{ Case = 'unset'; AwsRegion = $null }
        @{ Case = 'set to a third region'; AwsRegion = 'us-west-2' }
    ) {
        $null = Set-MotoWorld $script:Moto @{ $script:Own = @{
                'us-east-2' = @((New-OpenGroup 'east-a' 22), (New-OpenGroup 'east-b' 3389))
                'eu-west-1' = @((New-OpenGroup 'west-a' 5432))
                'us-west-2' = @((New-OpenGroup 'third' 22)) } }
        $before = @(Get-MotoRules $script:Moto -Region us-east-2, eu-west-1, us-west-2 | Format-MotoRule)

        $run = Invoke-MotoPipeline -Environment @{ AWS_REGION = $AwsRegion } -Script 'Get-OpenIngressRule -Region us-east-2, eu-west-1 | Revoke-OpenIngressRule -SkipAudit -Force | Write-Result'

        $run.Results.Count | Should -Be 6 -Because $run.Text
        $run.Results | ForEach-Object { $_.Status | Should -Be 'Revoked' }
        ($run.Results | ForEach-Object { "$($_.Region) $($_.GroupName)" } | Sort-Object -Unique) | Should -Be @('eu-west-1 west-a', 'us-east-2 east-a', 'us-east-2 east-b')
        # What moto holds: exactly the open rules of the two regions are gone; the third region is as it was.
        (Get-OpenMotoRules -Region us-east-2, eu-west-1).Count | Should -Be 0
        $after = @(Get-MotoRules $script:Moto -Region us-east-2, eu-west-1, us-west-2 | Format-MotoRule)
        $gone = @($before | Where-Object { $_ -notin $after })
        $gone.Count | Should -Be 6
        $gone | ForEach-Object { $_ | Should -Match '^123456789012/(us-east-2|eu-west-1)/' }
        @($after | Where-Object { $_ -like '*/us-west-2/*' }).Count | Should -Be 3
    }

    It 'scans every rule shape as moto holds it' {
        $null = Set-MotoWorld $script:Moto @{ $script:Own = @{ 'us-east-2' = @(@{ name = 'shapes'; rules = @(
                        @{ IpProtocol = 'tcp'; FromPort = 8000; ToPort = 8100; CidrIpv4 = '0.0.0.0/0'; Description = 'range' }
                        @{ IpProtocol = 'udp'; FromPort = 53; ToPort = 53; CidrIpv6 = '::/0' }
                        @{ IpProtocol = 'icmp'; FromPort = 8; ToPort = 0; CidrIpv4 = '0.0.0.0/0'; Description = 'echo' }
                        @{ IpProtocol = 'icmp'; FromPort = -1; ToPort = -1; CidrIpv4 = '0.0.0.0/0' }
                        @{ IpProtocol = '-1'; CidrIpv4 = '0.0.0.0/0'; Description = 'everything' }
                        @{ IpProtocol = '-1'; CidrIpv6 = '::/0' }
                        @{ IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '203.0.113.0/24' }
                        @{ IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv6 = '2001:db8::/48' }) }) } }

        $run = Invoke-MotoPipeline -Script 'Get-OpenIngressRule -Region us-east-2 | Write-Result'

        ($run.Results.Rule | Sort-Object) | Should -Be (@('all 0.0.0.0/0', 'all ::/0', 'icmp type 8 code 0 0.0.0.0/0', 'icmp all 0.0.0.0/0', 'tcp 8000-8100 0.0.0.0/0', 'udp 53 ::/0') | Sort-Object) -Because $run.Text
        $run.Results | ForEach-Object { $_.OwnerId | Should -Be $script:Own; $_.Region | Should -Be 'us-east-2' }
    }

    It 'records to moto''s S3, narrows in place, and restores the exact rule set from the record' {
        $ids = Set-MotoWorld $script:Moto @{ $script:Own = @{ 'us-east-2' = @((New-OpenGroup 'web' 22), (New-OpenGroup 'db' 5432)) } } -Buckets audit -Keys @{ alias = 'alias/records'; region = 'us-east-2' }
        $signing = $ids['kms/alias/records']
        $before = @(Get-MotoRules $script:Moto -Region us-east-2 | Format-MotoRule | Sort-Object)

        $run = Invoke-MotoPipeline -Environment @{ AWS_REGION = 'us-east-2' } -Script @"
Get-OpenIngressRule | Export-IngressAudit -BucketName audit -SigningKeyId $signing | Revoke-OpenIngressRule -ReplaceWith 203.0.113.0/24, 2001:db8::/48 -Force | Write-Result
"@
        $run.Results.Count | Should -Be 4 -Because $run.Text
        $run.Results | ForEach-Object { $_.Status | Should -Be 'Narrowed' }
        $uri = @($run.Results.AuditUri | Sort-Object -Unique)
        $uri.Count | Should -Be 1
        $uri[0] | Should -BeLike 's3://audit/*'
        $narrowed = @(Get-MotoRules $script:Moto -Region us-east-2)
        (Get-OpenMotoRules -Region us-east-2).Count | Should -Be 0
        # In place: the open rules kept their ids and became the replacement of their own family.
        foreach ($r in $run.Results) {
            $now = $narrowed | Where-Object SecurityGroupRuleId -eq $r.SecurityGroupRuleId
            "$($now.CidrIpv4)$($now.CidrIpv6)" | Should -BeIn @('203.0.113.0/24', '2001:db8::/48')
        }

        $back = Invoke-MotoPipeline -Environment @{ AWS_REGION = 'us-east-2' } -Script "Restore-IngressRule -Uri '$($uri[0])' -SigningKeyId $signing -Force | Write-Result"
        $back.Results.Count | Should -Be 4 -Because $back.Text
        $back.Results | ForEach-Object { $_.Status | Should -Be 'Restored' }
        @(Get-MotoRules $script:Moto -Region us-east-2 | Format-MotoRule | Sort-Object) | Should -Be $before
    }

    It 'narrows to a security group by granting it and revoking the open rule (moto, like EC2, never changes a rule''s type in place), and restores exactly' {
        $ids = Set-MotoWorld $script:Moto @{ $script:Own = @{ 'us-east-2' = @((New-OpenGroup 'web' 22), (New-OpenGroup 'bastion' 2222)) } } -Buckets audit -Keys @{ alias = 'alias/records'; region = 'us-east-2' }
        $signing = $ids['kms/alias/records']
        $before = @(Get-MotoRules $script:Moto -Region us-east-2 | Format-MotoRule | Sort-Object)
        $bastion = (Get-MotoRules $script:Moto -Region us-east-2 | Where-Object GroupName -eq 'bastion' | Select-Object -First 1).GroupId

        $run = Invoke-MotoPipeline -Environment @{ AWS_REGION = 'us-east-2' } -Script @"
Get-OpenIngressRule | Where-Object GroupName -eq 'web' | Export-IngressAudit -BucketName audit -SigningKeyId $signing | Revoke-OpenIngressRule -ReplaceWith $bastion -Force | Write-Result
"@
        $run.Results.Count | Should -Be 2 -Because $run.Text
        $run.Results | ForEach-Object { $_.Status | Should -Be 'Narrowed' }
        $granted = @(Get-MotoRules $script:Moto -Region us-east-2 | Where-Object { $_.GroupName -eq 'web' -and $_.ReferencedGroupId -eq $bastion })
        $granted.Count | Should -Be 1
        $run.Results | ForEach-Object { $_.NewRuleIds | Should -Be @($granted[0].SecurityGroupRuleId) }
        @(Get-OpenMotoRules -Region us-east-2 | Where-Object GroupName -eq 'web').Count | Should -Be 0

        $back = Invoke-MotoPipeline -Environment @{ AWS_REGION = 'us-east-2' } -Script "Restore-IngressRule -Uri '$($run.Results[0].AuditUri)' -SigningKeyId $signing -Force | Write-Result"
        $back.Results | ForEach-Object { $_.Status | Should -Be 'Restored' }
        @(Get-MotoRules $script:Moto -Region us-east-2 | Format-MotoRule | Sort-Object) | Should -Be $before
    }

    It 'refuses a narrowing past the group''s quota before anything is granted (61 sources on a group of 5 rules)' {
        $group = @{ name = 'full'; rules = @(@(0..3 | ForEach-Object { @{ IpProtocol = 'tcp'; FromPort = 1000 + $_; ToPort = 1000 + $_; CidrIpv4 = "192.168.$_.0/24" } }) +
            @{ IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '0.0.0.0/0'; Description = 'ssh' }) }
        $null = Set-MotoWorld $script:Moto @{ $script:Own = @{ 'us-east-2' = @($group) } }
        $before = @(Get-MotoRules $script:Moto -Region us-east-2 | Format-MotoRule | Sort-Object)
        $sources = (0..60 | ForEach-Object { "'10.$_.0.0/16'" }) -join ', '
        $run = Invoke-MotoPipeline -Environment @{ AWS_REGION = 'us-east-2' } -Script "Get-OpenIngressRule | Revoke-OpenIngressRule -ReplaceWith $sources -SkipAudit -Force | Write-Result"
        $run.Results.Count | Should -Be 1 -Because $run.Text
        "$($run.Results[0].Status) $($run.Results[0].ErrorId)" | Should -Be 'Failed RuleQuotaExceeded'
        $run.Results[0].Error | Should -Match 'holds 5 of its quota of 60'
        @(Get-MotoRules $script:Moto -Region us-east-2 | Format-MotoRule | Sort-Object) | Should -Be $before
    }

    It 'refuses -ReplaceWith 010.1.2.0/24, never reading it as octal, and changes nothing' {
        $null = Set-MotoWorld $script:Moto @{ $script:Own = @{ 'us-east-2' = @((New-OpenGroup 'web' 22)) } }
        $before = @(Get-MotoRules $script:Moto -Region us-east-2 | Format-MotoRule | Sort-Object)
        $run = Invoke-MotoPipeline -Environment @{ AWS_REGION = 'us-east-2' } -Script 'Get-OpenIngressRule | Revoke-OpenIngressRule -ReplaceWith 010.1.2.0/24 -SkipAudit -Force | Write-Result'
        $run.Text | Should -Match "'010\.1\.2\.0/24'"
        $run.Results.Count | Should -Be 0
        @(Get-MotoRules $script:Moto -Region us-east-2 | Format-MotoRule | Sort-Object) | Should -Be $before
        @(Get-MotoRules $script:Moto -Region us-east-2 | Where-Object CidrIpv4 -like '8.1.2.*').Count | Should -Be 0
    }
}

Describe 'Against moto: every call with the credentials of its own account' {
    It 'works in several accounts through moto''s STS, each account''s groups read and changed in that account' {
        $ids = Set-MotoWorld $script:Moto @{
            '111111111111' = @{ 'us-east-2' = @((New-OpenGroup 'one' 22)); 'eu-west-1' = @((New-OpenGroup 'one-eu' 80)) }
            '222222222222' = @{ 'us-east-2' = @((New-OpenGroup 'two' 3389)) }
            $script:Own = @{ 'us-east-2' = @((New-OpenGroup 'own' 22)) } }

        $run = Invoke-MotoPipeline -Script 'Get-OpenIngressRule -AccountId 111111111111, 222222222222 -RoleName SgNarrowerAudit -Region us-east-2, eu-west-1 | Revoke-OpenIngressRule -RoleName SgNarrowerAudit -SkipAudit -Force | Write-Result'

        $run.Results.Count | Should -Be 6 -Because $run.Text
        $run.Results | ForEach-Object { $_.Status | Should -Be 'Revoked' }
        ($run.Results | ForEach-Object { "$($_.OwnerId) $($_.Region) $($_.GroupName)" } | Sort-Object -Unique) |
            Should -Be @('111111111111 eu-west-1 one-eu', '111111111111 us-east-2 one', '222222222222 us-east-2 two')
        (Get-OpenMotoRules -Account 111111111111, 222222222222 -Region us-east-2, eu-west-1).Count | Should -Be 0
        # The caller's own account was not asked for, and is untouched.
        (Get-OpenMotoRules -Account $script:Own -Region us-east-2).Count | Should -Be 2
    }

    It 'follows a role_arn profile whose region is only in the profile' {
        $null = Set-MotoWorld $script:Moto @{
            '333333333333' = @{ 'us-east-2' = @((New-OpenGroup 'by-role' 22)) }
            $script:Own = @{ 'us-east-1' = @((New-OpenGroup 'wrong-place' 22)); 'us-east-2' = @((New-OpenGroup 'own-east-2' 22)) } }
        $config = Join-Path $script:Folder 'config'
        $credentials = Join-Path $script:Folder 'credentials'
        "[profile audit]`nrole_arn = arn:aws:iam::333333333333:role/SgNarrowerAudit`nsource_profile = base`nregion = us-east-2`n" | Set-Content $config
        "[base]`naws_access_key_id = AKIDMOTOBASE`naws_secret_access_key = moto-base-secret`n" | Set-Content $credentials

        $run = Invoke-MotoPipeline -Environment @{ AWS_CONFIG_FILE = $config; AWS_SHARED_CREDENTIALS_FILE = $credentials; AWS_ACCESS_KEY_ID = $null; AWS_SECRET_ACCESS_KEY = $null } `
            -Script 'Get-OpenIngressRule -ProfileName audit | Write-Result'

        $run.Results.Count | Should -Be 2 -Because $run.Text
        $run.Results | ForEach-Object { "$($_.OwnerId) $($_.Region) $($_.GroupName)" | Should -Be '333333333333 us-east-2 by-role' }
    }
}

Describe 'Against moto: truthful under races' {
    It 'two runs revoking the same 28 rules at once: every rule is Revoked by exactly one of them' {
        $groups = @(1..14 | ForEach-Object { @{ name = "race-$_"; rules = @(
                        @{ IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '0.0.0.0/0' }
                        @{ IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv6 = '::/0' }) } })
        $null = Set-MotoWorld $script:Moto @{ $script:Own = @{ 'us-east-2' = $groups } }
        $record = Join-Path $script:Folder 'race.jsonl'
        $scan = Invoke-MotoPipeline -Environment @{ AWS_REGION = 'us-east-2' } -Script "Get-OpenIngressRule | Export-IngressAudit -Path '$record' | Write-Result"
        $scan.Results.Count | Should -Be 28 -Because $scan.Text

        # Both runs read the same record, so both plan all 28 rules; then they revoke at once.
        $script = "Get-Content '$record' | ConvertFrom-Json | Where-Object RecordType -eq Rule | Revoke-OpenIngressRule -SkipAudit -Force | Write-Result"
        $runs = @(1, 2 | ForEach-Object { Invoke-MotoPipeline -Async -Environment @{ AWS_REGION = 'us-east-2' } -Script $script })
        foreach ($r in $runs) { $r.Process.WaitForExit(120000) | Should -BeTrue }
        $a = ConvertFrom-ChildOutput ($runs[0].Output.GetAwaiter().GetResult() -split "`r?`n")
        $b = ConvertFrom-ChildOutput ($runs[1].Output.GetAwaiter().GetResult() -split "`r?`n")

        $a.Results.Count | Should -Be 28 -Because "$($a.Text) $($runs[0].Errors.GetAwaiter().GetResult())"
        $b.Results.Count | Should -Be 28 -Because "$($b.Text) $($runs[1].Errors.GetAwaiter().GetResult())"
        foreach ($id in $a.Results.SecurityGroupRuleId) {
            $mine = $a.Results | Where-Object SecurityGroupRuleId -eq $id
            $theirs = $b.Results | Where-Object SecurityGroupRuleId -eq $id
            (@($mine.Status, $theirs.Status) | Sort-Object) | Should -Be @('AlreadyAbsent', 'Revoked') -Because "rule $id"
        }
        ($a.Results + $b.Results | Where-Object Status -eq 'AlreadyAbsent') | ForEach-Object { $_.Error | Should -Match 'removed by someone else|no rule' }
        (Get-OpenMotoRules -Region us-east-2).Count | Should -Be 0
    }
}

Describe 'Against moto: records only SgNarrower wrote' {
    BeforeAll {
        $script:Env1 = @{ AWS_REGION = 'us-east-1' }
        function script:Get-MotoObject([string] $Bucket, [string] $Key) { (Invoke-MotoWorld $script:Moto 'get-object' @{ bucket = $Bucket; key = $Key }).body }
        function script:Set-MotoObject([string] $Bucket, [string] $Key, [string] $Body) { $null = Invoke-MotoWorld $script:Moto 'put-object' @{ bucket = $Bucket; key = $Key; body = $Body } }
        function script:Get-RuleSet { @(Get-MotoRules $script:Moto -Region us-east-1 | Format-MotoRule | Sort-Object) }
        # A world of one open group, a bucket of ours and one of another account, and two signing keys of ours.
        function script:Set-SigningWorld {
            $ids = Set-MotoWorld $script:Moto @{ $script:Own = @{ 'us-east-1' = @((New-OpenGroup 'web' 22)) } } `
                -Buckets @('audit', @{ name = 'theirs'; account = '111111111111' }) -Keys @(@{ alias = 'alias/sgn-records' }, @{ alias = 'alias/sgn-hmac'; spec = 'HMAC_256' }, @{ alias = 'alias/someone-else' })
            $script:Key = $ids['kms/alias/sgn-records']
            $script:MacKey = $ids['kms/alias/sgn-hmac']
            $script:OtherKey = $ids['kms/alias/someone-else']
            $script:Web = $ids["$($script:Own)/us-east-1/web"]
        }
        # Records and revokes the open rules, signed with the key given; returns the record's key in the bucket.
        function script:Invoke-SignedRevoke([string] $SigningKey) {
            $run = Invoke-MotoPipeline -Environment $script:Env1 -Script "Get-OpenIngressRule | Export-IngressAudit -BucketName audit -SigningKeyId '$SigningKey' | Revoke-OpenIngressRule -Force | Write-Result"
            $run.Results.Count | Should -Be 2 -Because $run.Text
            $run.Results | ForEach-Object { $_.Status | Should -Be 'Revoked' }
            $run.Results[0].AuditUri.Substring('s3://audit/'.Length)
        }
    }

    It 'signs the record with <Kind> key, and restores it exactly once the key is named' -ForEach @(@{ Kind = 'an ECDSA'; Which = 'Key' }, @{ Kind = 'an HMAC'; Which = 'MacKey' }) {
        Set-SigningWorld
        $signing = Get-Variable -Scope Script -Name $Which -ValueOnly
        $before = Get-RuleSet
        $key = Invoke-SignedRevoke $signing
        $sig = Get-MotoObject audit "$key.sig" | ConvertFrom-Json
        $sig.KeyArn | Should -Be $signing

        $check = Invoke-MotoPipeline -Environment $script:Env1 -Script "Test-IngressRecord -Uri 's3://audit/$key' -SigningKeyId '$signing' | ForEach-Object { 'RESULT ' + (`$_ | ConvertTo-Json -Compress) }"
        $check.Results[0].Valid | Should -BeTrue -Because $check.Text
        $check.Results[0].OpenToWorldCount | Should -Be 2

        $back = Invoke-MotoPipeline -Environment $script:Env1 -Script "Restore-IngressRule -Uri 's3://audit/$key' -SigningKeyId '$signing' -Force | Write-Result"
        $back.Results | ForEach-Object { $_.Status | Should -Be 'Restored' }
        Get-RuleSet | Should -Be $before
    }

    It 'refuses the whole record, granting nothing, when <Case>' -ForEach @(
        @{ Case = 'one line was changed'; Tamper = { param($t) $t -replace '"FromPort":22,"ToPort":22', '"FromPort":2323,"ToPort":2323' }; Id = 'RecordChanged' }
        @{ Case = 'a line was added'; Tamper = { param($t) $line = @($t -split "`n" | Where-Object { $_ -like '*"FromPort":22*' })[0]; $t + ($line -replace '"FromPort":22,"ToPort":22', '"FromPort":2323,"ToPort":2323') + "`n" }; Id = 'RecordChanged' }
        @{ Case = 'a line was removed'; Tamper = { param($t) (@($t -split "`n" | Where-Object { $_ -notlike '*::/0*' }) -join "`n") }; Id = 'RecordChanged' }
        @{ Case = 'the signature is another record''s'; Swap = $true; Id = 'RecordChanged' }
        @{ Case = 'it was signed by a key not named'; OtherKey = $true; Id = 'KeyNotTrusted' }
    ) {
        Set-SigningWorld
        $key = Invoke-SignedRevoke ($(if ($OtherKey) { $script:OtherKey } else { $script:Key }))
        if ($Tamper) { Set-MotoObject audit $key (& $Tamper (Get-MotoObject audit $key)) }
        if ($Swap) {
            # Another signed record (of nothing), whose signature is put beside this one.
            $other = Invoke-MotoPipeline -Environment $script:Env1 -Script "@() | Export-IngressAudit -BucketName audit -Key other.jsonl -SigningKeyId '$($script:Key)' | Out-Null"
            Set-MotoObject audit "$key.sig" (Get-MotoObject audit 'other.jsonl.sig')
        }
        $open = Get-RuleSet

        $back = Invoke-MotoPipeline -Environment $script:Env1 -Script "Restore-IngressRule -Uri 's3://audit/$key' -SigningKeyId '$($script:Key)' -Force | Write-Result; 'ERRORID ' + `$Error[0].FullyQualifiedErrorId"

        $back.Results.Count | Should -Be 0 -Because $back.Text
        $back.Text | Should -Match "ERRORID $Id,"
        $back.Text | Should -Match 'nothing was granted'
        Get-RuleSet | Should -Be $open
        @(Get-OpenMotoRules -Region us-east-1).Count | Should -Be 0
    }

    It 'refuses an unsigned hand-written line by default, says what it would open under -WhatIf, and restores it only with -TrustUnsignedRecord' {
        Set-SigningWorld
        $before = Get-RuleSet
        $forged = Join-Path $script:Folder 'forged.jsonl'
        New-TestRecordLine -RunId 'forged' -RecordedAt '2026-12-07T00:00:00.000Z' -Rule @{ Region = 'us-east-1'; GroupId = $script:Web; IpProtocol = 'tcp'; FromPort = 2323; ToPort = 2323; CidrIpv4 = '0.0.0.0/0' } |
            Set-Content $forged

        $refused = Invoke-MotoPipeline -Environment $script:Env1 -Script "Restore-IngressRule -Path '$forged' -Force | Write-Result; 'ERRORID ' + `$Error[0].FullyQualifiedErrorId"
        $refused.Results.Count | Should -Be 0
        $refused.Text | Should -Match 'ERRORID RecordNotSigned,'
        $refused.Text | Should -Match '1 of them to the world'
        Get-RuleSet | Should -Be $before

        $whatIf = Invoke-MotoPipeline -Environment $script:Env1 -Script "Restore-IngressRule -Path '$forged' -TrustUnsignedRecord -WhatIf | Write-Result"
        $whatIf.Text | Should -Match 'What if: .*1 rule\(s\), 1 of them open to the world'
        Get-RuleSet | Should -Be $before

        $trusted = Invoke-MotoPipeline -Environment $script:Env1 -Script "Restore-IngressRule -Path '$forged' -TrustUnsignedRecord -Force | Write-Result"
        $trusted.Results[0].Status | Should -Be 'Restored' -Because $trusted.Text
        @(Get-MotoRules $script:Moto -Region us-east-1 | Where-Object FromPort -eq 2323).Count | Should -Be 1
    }

    It 'writes to and reads from a bucket of another account only when that account is named' {
        Set-SigningWorld
        $refused = Invoke-MotoPipeline -Environment $script:Env1 -Script 'Get-OpenIngressRule | Export-IngressAudit -BucketName theirs | Revoke-OpenIngressRule -Force | Write-Result; ''ERRORID '' + $Error[0].FullyQualifiedErrorId'
        $refused.Results.Count | Should -Be 0
        $refused.Text | Should -Match 'ERRORID AccessDenied,'
        $refused.Text | Should -Match '-ExpectedBucketOwner'
        @(Get-OpenMotoRules -Region us-east-1).Count | Should -Be 2

        $named = Invoke-MotoPipeline -Environment $script:Env1 -Script "Get-OpenIngressRule | Export-IngressAudit -BucketName theirs -ExpectedBucketOwner 111111111111 -SigningKeyId '$($script:Key)' -PassThru | Write-Result"
        $named.Results.Count | Should -Be 2 -Because $named.Text
        $uri = $named.Results[0].AuditUri
        $read = Invoke-MotoPipeline -Environment $script:Env1 -Script "Test-IngressRecord -Uri '$uri' -SigningKeyId '$($script:Key)' | ForEach-Object { 'RESULT ' + (`$_ | ConvertTo-Json -Compress) }; 'ERRORID ' + `$Error[0].FullyQualifiedErrorId"
        $read.Results.Count | Should -Be 0
        $read.Text | Should -Match 'ERRORID AccessDenied,'
        $read.Text | Should -Match '-ExpectedBucketOwner'
        $read = Invoke-MotoPipeline -Environment $script:Env1 -Script "Test-IngressRecord -Uri '$uri' -ExpectedBucketOwner 111111111111 -SigningKeyId '$($script:Key)' | ForEach-Object { 'RESULT ' + (`$_ | ConvertTo-Json -Compress) }"
        $read.Results[0].Valid | Should -BeTrue -Because $read.Text
    }

    It 'checks a folder of records with the key looked up once, and a record that cannot be read is an error of its own' {
        Set-SigningWorld
        $a = Join-Path $script:Folder 'check-a.jsonl'
        $b = Join-Path $script:Folder 'check-b.jsonl'
        $missing = Join-Path $script:Folder 'no-such-record.jsonl'
        Remove-Item $a, "$a.sig", $b, "$b.sig" -ErrorAction Ignore
        $null = Invoke-MotoPipeline -Environment $script:Env1 -Script "Get-OpenIngressRule | Export-IngressAudit -Path '$a' -SigningKeyId '$($script:Key)' | Out-Null; @() | Export-IngressAudit -Path '$b' -SigningKeyId '$($script:Key)' | Out-Null"
        Invoke-RestMethod -Method Post "$($script:Moto.Url)/_sgnarrower/kms-calls/reset" | Out-Null
        $run = Invoke-MotoPipeline -Environment $script:Env1 -Script "Test-IngressRecord -Path '$a', '$missing', '$b' -SigningKeyId '$($script:Key)' | ForEach-Object { 'RESULT ' + (`$_ | ConvertTo-Json -Compress) }; 'ERRORID ' + `$Error[0].FullyQualifiedErrorId"
        $run.Results.Count | Should -Be 2 -Because $run.Text
        $run.Results | ForEach-Object { $_.Valid | Should -BeTrue }
        $run.Text | Should -Match 'ERRORID AuditRecordUnreadable,'
        @((Invoke-RestMethod "$($script:Moto.Url)/_sgnarrower/kms-calls") | ForEach-Object { $_ } | Where-Object { $_ -eq 'kms:DescribeKey' }).Count | Should -Be 1
    }

    It 'refuses lines that name another account than the caller''s, after looking it up, and grants nothing' {
        Set-SigningWorld
        $before = Get-RuleSet
        $forged = Join-Path $script:Folder 'other-account.jsonl'
        New-TestRecordLine -RunId 'forged' -RecordedAt '2026-12-07T00:00:00.000Z' -Rule @{ OwnerId = '111111111111'; Region = 'us-east-1'; GroupId = $script:Web; IpProtocol = 'tcp'; FromPort = 2323; ToPort = 2323; CidrIpv4 = '0.0.0.0/0' } |
            Set-Content $forged
        $run = Invoke-MotoPipeline -Environment $script:Env1 -Script "Restore-IngressRule -Path '$forged' -TrustUnsignedRecord -Force | Write-Result"
        $run.Results[0].Status | Should -Be 'Failed' -Because $run.Text
        $run.Results[0].ErrorId | Should -Be 'AccountMismatch'
        Get-RuleSet | Should -Be $before
    }
}
