# The least-privilege policies in policies/ grant exactly what the module calls for each use: every action a run makes
# is allowed, and no action is granted that the runs never make. The actions come from the endpoints' call logs.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $script:Url = $script:Ec2.Url
    $script:Policies = Join-Path (Get-RepoRoot) 'policies'

    function script:Get-PolicyActions([string] $Name) {
        $doc = Get-Content (Join-Path $script:Policies $Name) -Raw | ConvertFrom-Json
        @($doc.Statement | ForEach-Object { $_.Action } | ForEach-Object { $_ } | Sort-Object -Unique)
    }
    # What the module called since the last reset, as IAM actions; -Account keeps the EC2 calls made in one account.
    function script:Get-CalledActions([string] $Account) {
        $ec2 = @(Get-TestCalls $script:Ec2 | Where-Object { -not $Account -or $_.Account -eq $Account } | ForEach-Object { "ec2:$($_.Action)" })
        if ($Account) { return @($ec2 | Sort-Object -Unique) }
        $sts = @(Get-TestStsCalls $script:Ec2 | Where-Object Action -in 'AssumeRole', 'GetCallerIdentity' | ForEach-Object { "sts:$($_.Action)" })
        $s3 = @((Invoke-RestMethod "$($script:Url)_control/s3-requests").all | ForEach-Object {
            if ($_.Method -eq 'PUT') { 's3:PutObject' } elseif ($_.Method -eq 'GET' -and $_.Path -match '^/[^/]+/?$') { 's3:ListBucket' } elseif ($_.Method -eq 'GET') { 's3:GetObject' } })
        @($ec2 + $sts + $s3 | Sort-Object -Unique)
    }
    function script:New-PrefixListRule($Id, $Port, $Description) { $r = New-TestRule tcp $Port $Port -Description $Description; $r.prefixListId = $Id; $r }
    function script:New-World {
        @{
            enabledRegions = @('us-east-1', 'eu-west-1')
            regions = @{
                'us-east-1' = @{ groups = @(
                    # A closed list in the narrowed group: narrowing counts it against the group's quota at its MaxEntries.
                    New-TestGroup sg-0001 -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule tcp 3389 3389 '0.0.0.0/0' 'rdp'), (New-PrefixListRule 'pl-0closed' 8443 'partners'))
                    New-TestGroup sg-0002 -Rules @((New-TestRule udp 53 53 '::/0' 'dns'), (New-PrefixListRule 'pl-0open' 443 'via list'))
                ) ; prefixLists = @(@{ prefixListId = 'pl-0open'; prefixListName = 'office'; entries = @('10.0.0.0/8', '0.0.0.0/0') }, @{ prefixListId = 'pl-0closed'; prefixListName = 'partners'; entries = @('198.51.100.0/24') }) }
                'eu-west-1' = @{ groups = @(New-TestGroup sg-0003 -Rules @(New-TestRule tcp 443 443 '0.0.0.0/0' 'web'))
                                 networkInterfaces = @(@{ networkInterfaceId = 'eni-1'; instanceId = 'i-1'; groups = @('sg-0003') })
                                 routeTables = @(@{ routeTableId = 'rtb-1'; main = $true; routes = @{ '0.0.0.0/0' = 'igw-1' } }) }
            }
            accounts = @{ '111111111111' = @{ roles = @('SgNarrower'); regions = @{ 'us-east-1' = @{ groups = @(
                New-TestGroup sg-0004 -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0' 'member ssh'), (New-TestRule tcp 80 80 '0.0.0.0/0' 'member web'), (New-PrefixListRule 'pl-0member' 443 'member list')))
                prefixLists = @(@{ prefixListId = 'pl-0member'; prefixListName = 'office'; ownerId = '111111111111'; entries = @('0.0.0.0/0') })
                networkInterfaces = @(@{ networkInterfaceId = 'eni-4'; instanceId = 'i-4'; groups = @('sg-0004') })
                routeTables = @(@{ routeTableId = 'rtb-4'; main = $true; routes = @{ '0.0.0.0/0' = 'igw-4' } }) } } } }
        }
    }
    $script:Gone = [pscustomobject]@{ OwnerId = '123456789012'; Region = 'us-east-1'; GroupId = 'sg-0dead'; IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '0.0.0.0/0'; Description = 'deleted group' }
    $script:S3 = @{ EndpointUrl = $script:Url; Region = 'us-east-1' }
}
AfterAll { Stop-TestEc2 $script:Ec2 }

Describe 'Least-privilege policies' {
    It 'scan: sgnarrower-scan.json is exactly what Get-OpenIngressRule calls' {
        Set-TestWorld $script:Ec2 (New-World)
        Reset-TestCalls $script:Ec2
        @(Get-OpenIngressRule -Region '*' -EndpointUrl $script:Url -IncludeExposure).Count | Should -Be 5
        Get-CalledActions | Should -Be (Get-PolicyActions 'sgnarrower-scan.json')
    }

    It 'scan and record: sgnarrower-scan-and-record.json is exactly what Get | Export calls' {
        Set-TestWorld $script:Ec2 (New-World)
        Reset-TestCalls $script:Ec2
        Get-OpenIngressRule -Region '*' -EndpointUrl $script:Url -IncludeExposure | Export-IngressAudit -BucketName audit @script:S3 | Out-Null
        Get-CalledActions | Should -Be (Get-PolicyActions 'sgnarrower-scan-and-record.json')
    }

    It 'remediate and restore: the policies are exactly what Revoke and Restore call, narrowing and all' {
        Set-TestWorld $script:Ec2 (New-World)
        $open = @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url)
        # Recorded in S3 first, so that the restore reads the record and finds what the narrowing tagged with its run.
        $recorded = @(@($open + $script:Gone) | Export-IngressAudit -BucketName audit @script:S3 -PassThru)
        Reset-TestCalls $script:Ec2
        $narrowed = @($recorded | Where-Object { $_.FromPort -eq 22 -and $_.GroupId -ne 'sg-0dead' } | Revoke-OpenIngressRule -EndpointUrl $script:Url -ReplaceWith 203.0.113.0/24, 198.51.100.0/24 -Force)
        $revoked = @($recorded | Where-Object { $_.FromPort -ne 22 -or $_.GroupId -eq 'sg-0dead' } | Revoke-OpenIngressRule -EndpointUrl $script:Url -Force)
        $narrowed.Status | Should -Be 'Narrowed'
        ($revoked.Status | ForEach-Object ToString | Sort-Object) | Should -Be @('AlreadyAbsent', 'Revoked', 'Revoked', 'Revoked')
        Get-CalledActions | Should -Be (Get-PolicyActions 'sgnarrower-remediate.json')

        Reset-TestCalls $script:Ec2
        $back = @(Restore-IngressRule -Uri $recorded[0].AuditUri -Region us-east-1 -S3EndpointUrl $script:Url -EndpointUrl $script:Url -TrustUnsignedRecord -Force -ErrorAction SilentlyContinue)
        ($back | Where-Object GroupId -ne sg-0dead).Status | ForEach-Object { $_ | Should -Be 'Restored' }
        Get-CalledActions | Should -Be (Get-PolicyActions 'sgnarrower-restore.json')
    }

    It 'member accounts: the role''s policy is exactly what scan, remediate and restore call there, and the caller only assumes it' {
        Set-TestWorld $script:Ec2 (New-World)
        Reset-TestCalls $script:Ec2
        $record = Join-Path $TestDrive 'member.jsonl'
        $open = @(Get-OpenIngressRule -AccountId 111111111111 -RoleName SgNarrower -Region '*' -EndpointUrl $script:Url -IncludeExposure)
        $open | Export-IngressAudit -Path $record | Out-Null
        $open | Where-Object FromPort -eq 22 | Revoke-OpenIngressRule -RoleName SgNarrower -EndpointUrl $script:Url -ReplaceWith 203.0.113.0/24, 198.51.100.0/24 -SkipAudit -Force | Out-Null
        $open | Where-Object FromPort -ne 22 | Revoke-OpenIngressRule -RoleName SgNarrower -EndpointUrl $script:Url -SkipAudit -Force | Out-Null
        Restore-IngressRule -Path $record -RoleName SgNarrower -EndpointUrl $script:Url -TrustUnsignedRecord -Force | Out-Null
        Get-CalledActions -Account 111111111111 | Should -Be (Get-PolicyActions 'sgnarrower-member-role.json')
        @(Get-TestCalls $script:Ec2 | Where-Object Account -ne '111111111111').Count | Should -Be 0
        @(Get-CalledActions | Where-Object { $_ -like 'sts:*' }) | Should -Be (Get-PolicyActions 'sgnarrower-assume-member-roles.json')
    }

    It 'measure: sgnarrower-measure.json is exactly what Measure-OpenIngressRule calls (flow logs in S3)' {
        Set-TestWorld $script:Ec2 (New-World)
        $open = @(Get-OpenIngressRule -Region eu-west-1 -EndpointUrl $script:Url)
        $t = [DateTimeOffset]::Parse('2026-11-20T12:00:00Z').ToUnixTimeSeconds()
        $log = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status`n2 123456789012 eni-1 203.0.113.5 10.0.0.10 4000 443 6 1 60 $t $($t + 60) ACCEPT OK`n"
        Invoke-RestMethod -Method Put -Uri "$($script:Url)flowlogs/AWSLogs/123456789012/vpcflowlogs/eu-west-1/2026/11/20/f.log" -Body $log -Headers @{ Authorization = 'AWS4-HMAC-SHA256 Credential=a/20261120/eu-west-1/s3/aws4_request' } | Out-Null
        Reset-TestCalls $script:Ec2
        $m = @($open | Select-Object * -ExcludeProperty OwnerId | Measure-OpenIngressRule -FlowLogUri s3://flowlogs -EndpointUrl $script:Url -Region eu-west-1 -Since '2026-11-19Z' -Until '2026-11-21Z')
        "$($m[0].Recommendation)" | Should -Be 'Narrow'
        Get-CalledActions | Should -Be (Get-PolicyActions 'sgnarrower-measure.json')
    }

    It 'who opened it, and exceptions in S3: sgnarrower-read-trail.json and sgnarrower-read-exceptions.json are exactly what -CloudTrailUri and -ExceptionUri add' {
        Set-TestWorld $script:Ec2 (New-World)
        $day = [DateTime]::UtcNow.ToString('yyyy/MM/dd')
        $sign = @{ Authorization = 'AWS4-HMAC-SHA256 Credential=a/20261120/us-east-1/s3/aws4_request' }
        Invoke-RestMethod -Method Put -Uri "$($script:Url)trail/AWSLogs/123456789012/CloudTrail/us-east-1/$day/t.json" -Body '{"Records":[]}' -Headers $sign | Out-Null
        Invoke-RestMethod -Method Put -Uri "$($script:Url)policy/exceptions.json" -Body '{"Exceptions":[]}' -Headers $sign | Out-Null
        $added = { @(Get-CalledActions | Where-Object { $_ -notlike 'ec2:*' }) }
        Reset-TestCalls $script:Ec2
        @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url -CloudTrailUri s3://trail -CloudTrailSince ([DateTime]::UtcNow.Date)).Count | Should -Be 4
        & $added | Should -Be (Get-PolicyActions 'sgnarrower-read-trail.json')
        Reset-TestCalls $script:Ec2
        @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url -ExceptionUri s3://policy/exceptions.json).Count | Should -Be 4
        & $added | Should -Be (Get-PolicyActions 'sgnarrower-read-exceptions.json')
    }

    It 'report: sgnarrower-report.json is exactly what Export-IngressReport and Export-IngressFinding call for records in S3' {
        Set-TestWorld $script:Ec2 (New-World)
        Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url | Export-IngressAudit -BucketName audit @script:S3 -Summary | Out-Null
        Reset-TestCalls $script:Ec2
        Export-IngressReport -RecordUri s3://audit/sgnarrower-audit/ @script:S3 -Path (Join-Path $TestDrive 'report.html') | Out-Null
        Export-IngressFinding -RecordUri s3://audit/sgnarrower-audit/ @script:S3 -Path (Join-Path $TestDrive 'findings') | Out-Null
        Get-CalledActions | Should -Be (Get-PolicyActions 'sgnarrower-report.json')
    }

    It 'signing and checking records: sgnarrower-sign-records.json and sgnarrower-verify-records.json are exactly what the module calls in KMS' {
        $moto = Start-TestMoto
        $env:AWS_ENDPOINT_URL_KMS = $moto.Url
        try {
            $ids = Set-MotoWorld $moto @{} -Keys @(@{ alias = 'alias/ecdsa' }, @{ alias = 'alias/hmac'; spec = 'HMAC_256' })
            Set-TestWorld $script:Ec2 (New-World)
            $open = @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url)
            $kmsCalls = { @((Invoke-RestMethod "$($moto.Url)/_sgnarrower/kms-calls") | ForEach-Object { $_ } | Sort-Object -Unique) }
            Invoke-RestMethod -Method Post "$($moto.Url)/_sgnarrower/kms-calls/reset" | Out-Null
            $paths = foreach ($key in $ids['kms/alias/ecdsa'], $ids['kms/alias/hmac']) {
                $path = Join-Path $TestDrive "signed-$([guid]::NewGuid().ToString('N')).jsonl"
                $open | Export-IngressAudit -Path $path -SigningKeyId $key -EndpointUrl $script:Url -Region us-east-1 -Summary | Out-Null
                @{ Path = $path; Key = $key }
            }
            & $kmsCalls | Should -Be (Get-PolicyActions 'sgnarrower-sign-records.json')
            Invoke-RestMethod -Method Post "$($moto.Url)/_sgnarrower/kms-calls/reset" | Out-Null
            foreach ($p in $paths) { (Test-IngressRecord -Path $p.Path -SigningKeyId $p.Key -EndpointUrl $script:Url -Region us-east-1).Valid | Should -BeTrue }
            & $kmsCalls | Should -Be (Get-PolicyActions 'sgnarrower-verify-records.json')
        }
        finally {
            Remove-Item Env:AWS_ENDPOINT_URL_KMS -ErrorAction Ignore
            Stop-TestMoto $moto
        }
    }

    It 'every policy is a well-formed IAM document' {
        foreach ($file in Get-ChildItem $script:Policies -Filter *.json) {
            $doc = Get-Content $file.FullName -Raw | ConvertFrom-Json
            $doc.Version | Should -Be '2012-10-17'
            $doc.Statement | ForEach-Object { $_.Effect | Should -Be 'Allow'; $_.Action | Should -Not -BeNullOrEmpty }
        }
    }
}
