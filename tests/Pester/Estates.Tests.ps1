# Whole estates: many accounts and regions in one pipeline, at once, paced to EC2's buckets.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $script:Conn = @{ EndpointUrl = $script:Ec2.Url }

    function script:New-Region([string] $Tag, [int] $Groups = 2) {
        @{ groups = @(foreach ($i in 1..$Groups) {
            New-TestGroup "sg-$($Tag)0$i" -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0' "ssh $Tag $i"), (New-TestRule tcp 443 443 '::/0' "web $Tag $i"), (New-TestRule tcp 80 80 '10.0.0.0/8' 'lan'))
        }) }
    }
    function script:New-Estate {
        @{
            enabledRegions = @('us-east-1', 'eu-west-1', 'eu-central-1', 'us-west-2')
            regions        = @{ 'us-east-1' = (New-Region home 1) }
            accounts       = @{
                '111111111111' = @{ roles = @('Audit', 'Remediate'); regions = @{ 'us-east-1' = (New-Region ause1); 'eu-west-1' = (New-Region aeuw1); 'us-west-2' = (New-Region ausw2) } }
                '222222222222' = @{ roles = @('Audit', 'Remediate'); regions = @{ 'eu-central-1' = (New-Region beuc1 3) } }
                '333333333333' = @{ roles = @('SomethingElse'); regions = @{ 'us-east-1' = (New-Region cuse1) } }
            }
        }
    }
    # Each account's rule set in every region, as comparable text.
    function script:Get-EstateRules {
        $w = Get-TestWorld $script:Ec2
        @(foreach ($acct in $w.Accounts.PSObject.Properties) {
            foreach ($region in $acct.Value.Regions.PSObject.Properties) {
                foreach ($g in $region.Value.Groups) { foreach ($r in $g.Rules) { "$($acct.Name)|$($region.Name)|$($g.GroupId)|$($r.IpProtocol)|$($r.FromPort)|$($r.CidrIpv4)$($r.CidrIpv6)|$($r.Description)" } }
            }
        }) | Sort-Object
    }
}
AfterAll { Stop-TestEc2 $script:Ec2 }

Describe 'Many accounts and regions in one pipeline' {
    It 'scans every account through -RoleName, records centrally, revokes in each rule''s own account, and restores exactly; an account whose role cannot be assumed is one error' {
        Set-TestWorld $script:Ec2 (New-Estate)
        $before = Get-EstateRules
        $accounts = '111111111111', '222222222222', '333333333333'

        $open = @(Get-OpenIngressRule -AccountId $accounts -RoleName Audit -Region '*' @script:Conn -ThrottleLimit 4 -ErrorVariable scanErrors -ErrorAction SilentlyContinue)

        $open.Count | Should -Be (2 * (2 + 2 + 2) + 2 * 3)
        ($open.OwnerId | Sort-Object -Unique) | Should -Be @('111111111111', '222222222222')
        ($open | Where-Object OwnerId -eq '111111111111').Region | Sort-Object -Unique | Should -Be @('eu-west-1', 'us-east-1', 'us-west-2')
        $scanErrors.Count | Should -Be 1
        $scanErrors[0].FullyQualifiedErrorId | Should -BeLike 'AssumeRoleFailed,*'
        $scanErrors[0].Exception.Message | Should -BeLike '*333333333333*Audit*'
        $sessions = @(Get-TestStsCalls $script:Ec2 | Where-Object Action -eq 'AssumeRole')
        $sessions.RoleSessionName | ForEach-Object { $_ | Should -Match '^SgNarrower-\d{8}T\d{6}Z-[0-9a-f]{12}$' }
        @($sessions | Where-Object { $_.RoleArn -like '*111111111111*' }).Count | Should -Be 1   # one session per account, whatever the regions

        $record = Join-Path $TestDrive 'estate.jsonl'
        Reset-TestCalls $script:Ec2
        $results = @($open | Export-IngressAudit -Path $record | Revoke-OpenIngressRule -RoleName Remediate @script:Conn -Force)
        $results.Count | Should -Be $open.Count
        $results | ForEach-Object { $_.Status | Should -Be 'Revoked' }
        $changes = @(Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress)
        $changes | ForEach-Object { $_.Account | Should -BeIn '111111111111', '222222222222' }
        @(Get-TestStsCalls $script:Ec2 | Where-Object { $_.Action -eq 'AssumeRole' -and $_.RoleArn -like '*:role/Remediate' }).Count | Should -Be 2
        @(Get-OpenIngressRule -AccountId 111111111111, 222222222222 -RoleName Audit -Region '*' @script:Conn).Count | Should -Be 0

        $back = @(Restore-IngressRule -TrustUnsignedRecord -Path $record -RoleName Remediate @script:Conn -Force)
        $back | ForEach-Object { $_.Status | Should -Be 'Restored' }
        Get-EstateRules | Should -Be $before
    }

    It 'without -RoleName, a rule of another account is refused, never looked for in the caller''s account' {
        Set-TestWorld $script:Ec2 (New-Estate)
        $foreign = [pscustomobject]@{ OwnerId = '111111111111'; Region = 'us-east-1'; GroupId = 'sg-0e15e0'; IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '0.0.0.0/0' }
        $r = $foreign | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force -ErrorVariable errs -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'AccountMismatch,*'
        $errs[0].Exception.Message | Should -BeLike '*111111111111*123456789012*'
    }

    It 'an answer from another account than the scope''s is WrongScope: that scope stops, nothing in it changes, the others go on' {
        Set-TestWorld $script:Ec2 (New-Estate)
        $open = @(Get-OpenIngressRule -AccountId 111111111111 -RoleName Audit -Region us-east-1, eu-west-1 @script:Conn)
        $open.Count | Should -Be 8
        # Now an endpoint that answers account 111111111111's us-east-1 with a group of account 999999999999.
        $estate = New-Estate
        $estate.accounts.'111111111111'.regions.'us-east-1'.groups[0].ownerId = '999999999999'
        Set-TestWorld $script:Ec2 $estate
        $before = Get-EstateRules

        $scan = @(Get-OpenIngressRule -AccountId 111111111111 -RoleName Audit -Region us-east-1, eu-west-1 @script:Conn -ErrorVariable scanErrors -ErrorAction SilentlyContinue)
        ($scan.Region | Sort-Object -Unique) | Should -Be 'eu-west-1'
        $scanErrors.Count | Should -Be 1
        $scanErrors[0].FullyQualifiedErrorId | Should -BeLike 'WrongScope,*'
        $scanErrors[0].Exception.Message | Should -Match 'account 111111111111, region us-east-1 was asked'
        $scanErrors[0].Exception.Message | Should -Match '999999999999'

        $results = @($open | Revoke-OpenIngressRule -RoleName Remediate @script:Conn -SkipAudit -Force -ErrorVariable revokeErrors -ErrorAction SilentlyContinue)
        $results | Where-Object Region -eq 'us-east-1' | ForEach-Object { "$($_.Status) $($_.ErrorId)" | Should -Be 'Failed WrongScope' }
        $results | Where-Object Region -eq 'eu-west-1' | ForEach-Object { "$($_.Status)" | Should -Be 'Revoked' }
        @($revokeErrors | Where-Object { $_.FullyQualifiedErrorId -like 'WrongScope,*' }).Count | Should -Be 1
        $after = Get-EstateRules
        @($before | Where-Object { $_ -like '111111111111|us-east-1|*' }) | Should -Be @($after | Where-Object { $_ -like '111111111111|us-east-1|*' })
        @(Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress | Where-Object region -eq 'us-east-1').Count | Should -Be 0
    }

    It '-Region takes wildcards: eu-* is the enabled European regions' {
        Set-TestWorld $script:Ec2 (New-Estate)
        Reset-TestCalls $script:Ec2
        $r = @(Get-OpenIngressRule -AccountId 111111111111, 222222222222 -RoleName Audit -Region 'eu-*' @script:Conn)
        ($r.Region | Sort-Object -Unique) | Should -Be @('eu-central-1', 'eu-west-1')
        @(Get-TestCalls $script:Ec2 DescribeSecurityGroups).Region | Sort-Object -Unique | Should -Be @('eu-central-1', 'eu-west-1')
        @(Get-TestCalls $script:Ec2 DescribeRegions).Count | Should -Be 2
    }

    It 'scopes run at once, and everything is still written by the pipeline (a worker writing would throw)' {
        Set-TestWorld $script:Ec2 (New-Estate)
        $ps = [powershell]::Create()
        try {
            [void]$ps.AddCommand('Import-Module').AddArgument((Get-BuiltModulePath)).AddStatement()
            [void]$ps.AddCommand('Get-OpenIngressRule').AddParameter('AccountId', @('111111111111', '222222222222')).AddParameter('RoleName', 'Audit').
                AddParameter('Region', '*').AddParameter('EndpointUrl', $script:Ec2.Url).AddParameter('ThrottleLimit', 8).AddParameter('Verbose', $true)
            $out = $ps.Invoke()
            $ps.HadErrors | Should -BeFalse
            $out.Count | Should -Be 18
            @($ps.Streams.Verbose).Count | Should -BeGreaterThan 8
            @($ps.Streams.Progress | Where-Object RecordType -eq 'Processing').StatusDescription | Should -Contain '8 of 8 account-region scope(s) done, 18 open rule(s)'
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Paced to EC2''s buckets' {
    It 'a burst larger than the revoke bucket (50, then 5 a second) finishes without a single throttled request' {
        $groups = foreach ($i in 1..70) { New-TestGroup ('sg-{0:d4}' -f $i) -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0') }
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @($groups) } }; throttling = @{} }
        $open = @(Get-OpenIngressRule -Region us-east-1 @script:Conn)
        Reset-TestCalls $script:Ec2
        $r = @($open | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force)
        $r | ForEach-Object { $_.Status | Should -Be 'Revoked' }
        @(Get-TestCalls $script:Ec2 | Where-Object Throttled).Count | Should -Be 0
        @(Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress).Count | Should -Be 70
    }

    It 'when others spend the bucket too, throttling is waited out and no group fails' {
        # EC2's bucket here is smaller than ours: the module meets real throttling and must be patient.
        $groups = foreach ($i in 1..40) { New-TestGroup ('sg-{0:d4}' -f $i) -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0') }
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @($groups) } }; throttling = @{ mutatingBurst = 10; mutatingRate = 10 } }
        $open = @(Get-OpenIngressRule -Region us-east-1 @script:Conn)
        Reset-TestCalls $script:Ec2
        $r = @($open | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force)
        $r | ForEach-Object { $_.Status | Should -Be 'Revoked' }
        @(Get-TestCalls $script:Ec2 | Where-Object Throttled).Count | Should -BeGreaterThan 0
        @(Get-OpenIngressRule -Region us-east-1 @script:Conn).Count | Should -Be 0
    }
}
