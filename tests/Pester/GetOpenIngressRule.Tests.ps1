BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Sample = Join-Path (Get-RepoRoot) 'samples/security-groups.json'
}

Describe 'Get-OpenIngressRule offline (-Path)' {
    It 'finds every open rule shape in the shipped sample and nothing else' {
        $rules = @(Get-OpenIngressRule -Path $script:Sample -Region us-east-1)
        $rules.Count | Should -Be 13
        $rules[0].GetType().FullName | Should -Be 'SgNarrower.OpenIngressRule'
        $rules.GroupId | Should -Not -Contain 'sg-0a1b2c3d4e5f60007'
        ($rules | Where-Object IpProtocol -eq '-1').Count | Should -Be 2
        ($rules | Where-Object IpProtocol -eq '50').Description | Should -Be 'IPsec ESP'
        ($rules | Where-Object CidrIpv6).Count | Should -Be 4
        $rules | ForEach-Object { $_.Region | Should -Be 'us-east-1' }
    }

    It 'applies port presets, authorized ports and exemptions' {
        @(Get-OpenIngressRule -Path $script:Sample -PortPolicy RestrictedSsh).Count | Should -Be 5   # 2 ssh, 2 all-traffic, 1 all tcp ports
        $web = @(Get-OpenIngressRule -Path $script:Sample -AuthorizedTcpPort 80, 443 -ExcludeGroupTag 'sgnarrower:exempt')
        $web.GroupId | Should -Not -Contain 'sg-0a1b2c3d4e5f60002'
        $web.GroupId | Should -Not -Contain 'sg-0a1b2c3d4e5f60006'
        $web.Count | Should -Be 9
        @(Get-OpenIngressRule -Path $script:Sample -ExcludeGroupId sg-0a1b2c3d4e5f60003).Count | Should -Be 11
        @(Get-OpenIngressRule -Path $script:Sample -Port 3306).GroupId | Sort-Object -Unique | Should -Be @('sg-0a1b2c3d4e5f60003', 'sg-0a1b2c3d4e5f60004', 'sg-0a1b2c3d4e5f60006')
        @(Get-OpenIngressRule -Path $script:Sample -BroadIpv4PrefixLength 8).Count | Should -Be 14
    }

    It 'takes files from Get-ChildItem and reads ConvertTo-Json output of AWS.Tools objects' {
        $groups = @(
            [pscustomobject]@{ GroupId = 'sg-1'; GroupName = 'a'; VpcId = 'vpc-1'; OwnerId = '1'; Tags = @()
                IpPermissions = @([pscustomobject]@{ IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; IpRanges = @('0.0.0.0/0')
                        Ipv4Ranges = @([pscustomobject]@{ CidrIp = '0.0.0.0/0'; Description = 'ssh' }); Ipv6Ranges = @(); PrefixListIds = @(); UserIdGroupPairs = @() }) }
        )
        $file = Join-Path $TestDrive 'tools.json'
        $groups | ConvertTo-Json -Depth 5 | Set-Content $file
        $r = @(Get-ChildItem $file | Get-OpenIngressRule)
        $r.Count | Should -Be 1
        $r[0].Description | Should -Be 'ssh'
    }

    It 'stops with an error naming the file for malformed JSON' {
        $file = Join-Path $TestDrive 'broken.json'
        Set-Content $file '{ "SecurityGroups": [ { "GroupId": '
        $err = { Get-OpenIngressRule -Path $file } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidSecurityGroupFile,*'
        $err.Exception.Message | Should -BeLike "*broken.json*not valid JSON*"
    }

    It 'stops with an error for a file of the wrong shape, and for ConvertTo-Json without enough depth' {
        $file = Join-Path $TestDrive 'instances.json'
        Set-Content $file '{ "Reservations": [] }'
        { Get-OpenIngressRule -Path $file } | Should -Throw -ExpectedMessage '*instances.json*describe-security-groups*'
        $shallow = Join-Path $TestDrive 'shallow.json'
        Set-Content $shallow '[ { "GroupId": "sg-1", "IpPermissions": [ "Amazon.EC2.Model.IpPermission" ] } ]'
        { Get-OpenIngressRule -Path $shallow } | Should -Throw -ExpectedMessage '*-Depth 5*'
    }

    It 'stops for a missing file, and for connection parameters that make no sense offline' {
        $err = { Get-OpenIngressRule -Path (Join-Path $TestDrive 'nope.json') } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'FileNotFound,*'
        $err = { Get-OpenIngressRule -Path $script:Sample -ProfileName x } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterConflict,*'
    }

    It 'rejects bad policy input before doing anything' {
        $err = { Get-OpenIngressRule -Path $script:Sample -AuthorizedTcpPort 'http' } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidPolicy,*'
        { Get-OpenIngressRule -Path $script:Sample -IncludeCidr '10.0.0.300/8' } | Should -Throw -ExpectedMessage '*10.0.0.300/8*'
    }

    It 'shows a readable default table' {
        $text = Get-OpenIngressRule -Path $script:Sample -Region us-east-1 | Select-Object -First 2 | Out-String -Width 200
        $text | Should -Match 'GroupId\s+Rule\s+Region\s+Description'
        $text | Should -Match 'sg-0a1b2c3d4e5f60001 tcp 22 0\.0\.0\.0/0'
    }
}

Describe 'Get-OpenIngressRule live, against the EC2 endpoint' {
    BeforeAll {
        $script:Server = Start-TestEc2
        $script:Url = $script:Server.Url
        function script:New-World([int] $Groups, [string] $Region = 'us-east-1') {
            $list = foreach ($i in 0..($Groups - 1)) {
                $rules = @(New-TestRule tcp 22 22 '10.0.0.0/8')
                if ($i % 4 -eq 0) { $rules += New-TestRule tcp 443 443 '0.0.0.0/0' "web $i" }
                if ($i % 8 -eq 0) { $rules += New-TestRule '-1' -1 -1 '::/0' }
                New-TestGroup ('sg-{0:d17}' -f $i) "group-$i" -Rules $rules
            }
            @{ groups = @($list) }
        }
    }
    AfterAll { Stop-TestEc2 $script:Server }

    It 'scans over several pages, one object per open rule, with rule ids, in few calls' {
        Set-TestWorld $script:Server @{ regions = @{ 'us-east-1' = (New-World 40) } }
        $rules = @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url -PageSize 10)
        $rules.Count | Should -Be 15   # 10 web rules + 5 all-traffic rules
        $rules | ForEach-Object { $_.SecurityGroupRuleId | Should -Match '^sgr-' }
        (Get-TestCalls $script:Server DescribeSecurityGroups).Count | Should -Be 4
        (Get-TestCalls $script:Server DescribeSecurityGroupRules).Count | Should -Be 4
        ($rules | Where-Object IpProtocol -eq '-1')[0].FromPort | Should -Be -1
    }

    It 'scans several regions and labels each rule with its region' {
        Set-TestWorld $script:Server @{ regions = @{ 'us-east-1' = (New-World 8); 'eu-west-1' = (New-World 4) } }
        $rules = @(Get-OpenIngressRule -Region us-east-1, eu-west-1 -EndpointUrl $script:Url)
        ($rules | Where-Object Region -eq 'us-east-1').Count | Should -Be 3
        ($rules | Where-Object Region -eq 'eu-west-1').Count | Should -Be 2
    }

    It 'uses the region of the default chain when -Region is left out' {
        Set-TestWorld $script:Server @{ regions = @{ 'ap-south-1' = (New-World 1) } }
        $env:AWS_REGION = 'ap-south-1'
        try { @(Get-OpenIngressRule -EndpointUrl $script:Url).Region | Sort-Object -Unique | Should -Be 'ap-south-1' }
        finally { Remove-Item Env:AWS_REGION }
    }

    It 'binds GroupId from the pipeline and reports a missing group without stopping' {
        Set-TestWorld $script:Server @{ regions = @{ 'us-east-1' = (New-World 9) } }
        $ids = [pscustomobject]@{ GroupId = 'sg-00000000000000000' }, [pscustomobject]@{ GroupId = 'sg-missing' }, [pscustomobject]@{ GroupId = 'sg-00000000000000008' }
        $rules = @($ids | Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url -ErrorVariable errs -ErrorAction SilentlyContinue)
        $rules.GroupId | Sort-Object -Unique | Should -Be @('sg-00000000000000000', 'sg-00000000000000008')
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'SecurityGroupNotFound,*'
        $errs[0].TargetObject | Should -Be 'sg-missing'
    }

    It 'scopes by VPC' {
        Set-TestWorld $script:Server @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup sg-a -VpcId vpc-a -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0')
            New-TestGroup sg-b -VpcId vpc-b -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0')
        ) } } }
        @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url -VpcId vpc-b).GroupId | Should -Be 'sg-b'
    }

    It 'exempts rules by rule tag' {
        Set-TestWorld $script:Server @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup sg-a -Rules @((New-TestRule tcp 443 443 '0.0.0.0/0' -Tags @{ approved = 'cab-42' }), (New-TestRule tcp 22 22 '0.0.0.0/0'))
        ) } } }
        @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url -ExcludeRuleTag approved).FromPort | Should -Be 22
    }

    It 'names the missing IAM action on access denied, and goes on with other regions' {
        Set-TestWorld $script:Server @{ regions = @{ 'us-east-1' = (New-World 1); 'us-west-2' = (New-World 1) } }
        Add-TestFault $script:Server -Action DescribeSecurityGroups -Code UnauthorizedOperation -Status 403 -Region us-east-1 -Message 'You are not authorized to perform this operation.'
        $rules = @(Get-OpenIngressRule -Region us-east-1, us-west-2 -EndpointUrl $script:Url -ErrorVariable errs -ErrorAction SilentlyContinue)
        $rules.Region | Sort-Object -Unique | Should -Be 'us-west-2'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'AccessDenied,*'
        $errs[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $errs[0].Exception.Message | Should -BeLike '*IAM action ec2:DescribeSecurityGroups*'
        $errs[0].Exception.Message | Should -BeLike '*region us-east-1*'
    }

    It 'says which calls it makes with -Verbose' {
        Set-TestWorld $script:Server @{ regions = @{ 'us-east-1' = (New-World 2) } }
        $verbose = Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match 'us-east-1: DescribeSecurityGroups \(page 1'
        ($verbose.Message -join "`n") | Should -Match 'DescribeSecurityGroupRules for 1 group'
    }

    It 'writes progress while scanning' {
        Set-TestWorld $script:Server @{ regions = @{ 'us-east-1' = (New-World 12) } }
        $ps = [powershell]::Create()
        try {
            [void]$ps.AddCommand('Import-Module').AddArgument((Get-BuiltModulePath)).AddStatement()
            [void]$ps.AddCommand('Get-OpenIngressRule').AddParameter('Region', 'us-east-1').AddParameter('EndpointUrl', $script:Url).AddParameter('PageSize', 5)
            $out = $ps.Invoke()
            $out.Count | Should -Be 5
            $processing = @($ps.Streams.Progress | Where-Object RecordType -eq 'Processing')
            $processing.CurrentOperation | Should -Contain 'us-east-1: 10 group(s) in 2 page(s), 5 open rule(s)'
            $processing.StatusDescription | Should -Contain '1 of 1 account-region scope(s) done, 5 open rule(s)'
            @($ps.Streams.Progress)[-1].RecordType | Should -Be 'Completed'
        }
        finally { $ps.Dispose() }
    }

    Context 'setup errors stop before any call' {
        BeforeEach {
            $script:saved = @{ AK = $env:AWS_ACCESS_KEY_ID; SK = $env:AWS_SECRET_ACCESS_KEY; CF = $env:AWS_CONFIG_FILE; SF = $env:AWS_SHARED_CREDENTIALS_FILE }
            Reset-TestCalls $script:Server
        }
        AfterEach {
            $env:AWS_ACCESS_KEY_ID = $script:saved.AK; $env:AWS_SECRET_ACCESS_KEY = $script:saved.SK
            if ($script:saved.CF) { $env:AWS_CONFIG_FILE = $script:saved.CF } else { Remove-Item Env:AWS_CONFIG_FILE -ErrorAction Ignore }
            if ($script:saved.SF) { $env:AWS_SHARED_CREDENTIALS_FILE = $script:saved.SF } else { Remove-Item Env:AWS_SHARED_CREDENTIALS_FILE -ErrorAction Ignore }
        }

        It 'no credentials anywhere' {
            Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY
            $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'none-config'
            $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'none-credentials'
            $err = { Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'NoCredentials,*'
            $err.Exception.Message | Should -BeLike '*-ProfileName*'
            (Get-TestCalls $script:Server).Count | Should -Be 0
        }

        It 'a named profile that does not exist' {
            $file = Join-Path $TestDrive 'creds'
            Set-Content $file "[real]`naws_access_key_id = A`naws_secret_access_key = B"
            $err = { Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url -ProfileName typo -ProfileLocation $file } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'ProfileNotFound,*'
            $err.Exception.Message | Should -BeLike "*'typo'*"
            (Get-TestCalls $script:Server).Count | Should -Be 0
        }

        It 'a profile that exists is used' {
            Set-TestWorld $script:Server @{ regions = @{ 'us-east-1' = (New-World 1) } }
            $file = Join-Path $TestDrive 'creds2'
            Set-Content $file "[real]`naws_access_key_id = AKIDPROFILE`naws_secret_access_key = B`nregion = us-east-1"
            @(Get-OpenIngressRule -EndpointUrl $script:Url -ProfileName real -ProfileLocation $file).Count | Should -Be 2
        }

        It 'an unknown region, and no region at all' {
            $err = { Get-OpenIngressRule -Region 'moon-base' -EndpointUrl $script:Url } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'UnknownRegion,*'
            Remove-Item Env:AWS_REGION, Env:AWS_DEFAULT_REGION -ErrorAction Ignore
            $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'none-config'
            $err = { Get-OpenIngressRule -EndpointUrl $script:Url } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'NoRegion,*'
            (Get-TestCalls $script:Server).Count | Should -Be 0
        }
    }
}

Describe 'Temporary openings (sgnarrower:open-until)' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
        Import-Module (Get-BuiltModulePath) -Force
        Set-TestAwsEnvironment
        $script:Tmp = Start-TestEc2
        $future = [DateTime]::UtcNow.AddDays(3).ToString('yyyy-MM-ddTHH:mmZ')
        Set-TestWorld $script:Tmp @{ regions = @{ 'us-east-1' = @{ groups = @(New-TestGroup sg-0001 -Rules @(
            (New-TestRule tcp 22 22 '0.0.0.0/0' 'testing until friday' -Tags @{ 'sgnarrower:open-until' = $future }),
            (New-TestRule tcp 80 80 '0.0.0.0/0' 'should have closed' -Tags @{ 'sgnarrower:open-until' = '2020-01-31' }),
            (New-TestRule tcp 443 443 '0.0.0.0/0' 'typo' -Tags @{ 'sgnarrower:open-until' = 'next week' }),
            (New-TestRule tcp 8080 8080 '0.0.0.0/0' 'plain'))) } } }
    }
    AfterAll { Stop-TestEc2 $script:Tmp }

    It 'leaves out a rule before its deadline, says so, and reports one past it with when it should have closed' {
        $r = @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Tmp.Url -Verbose -WarningVariable warn 4>&1 3>$null)
        $rules = @($r | Where-Object { $_ -is [SgNarrower.OpenIngressRule] })
        $verbose = @($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        ($rules.FromPort | Sort-Object) | Should -Be @(80, 443, 8080)
        $verbose | Should -Match 'open on purpose until'
        ($rules | Where-Object FromPort -eq 80).OpenUntil | Should -Be ([DateTimeOffset]'2020-02-01T00:00:00Z')
        ($rules | Where-Object FromPort -eq 443).OpenUntil | Should -BeNullOrEmpty
        $warn.Count | Should -Be 1
        $warn[0].Message | Should -BeLike "*'next week'*not an ISO 8601*reported as open*"
    }

    It '-IncludeTemporary lists it, with OpenUntil' {
        $r = @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Tmp.Url -IncludeTemporary -WarningAction SilentlyContinue)
        $ssh = $r | Where-Object FromPort -eq 22
        $ssh | Should -Not -BeNullOrEmpty
        $ssh.OpenUntil | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
    }
}
