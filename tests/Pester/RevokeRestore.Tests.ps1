BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $script:Url = $script:Ec2.Url

    # A world of many groups with mixed rules: open ones of every shape, private ones, references, egress.
    function script:New-MixedWorld([int] $Groups = 12) {
        $list = foreach ($i in 0..($Groups - 1)) {
            $rules = @(
                (New-TestRule tcp 22 22 '10.0.0.0/8' 'private ssh'),
                (New-TestRule tcp 5432 5432 -ReferencedGroupId 'sg-app' -Description 'from app'),
                (New-TestRule '-1' -1 -1 '0.0.0.0/0' -Egress))
            if ($i % 3 -eq 0) { $rules += New-TestRule tcp 22 22 '0.0.0.0/0' "open ssh $i" -Tags @{ owner = "team$i" } }
            if ($i % 3 -eq 0) { $rules += New-TestRule tcp 22 22 '::/0' }
            if ($i % 4 -eq 1) { $rules += New-TestRule '-1' -1 -1 '0.0.0.0/0' 'everything' }
            if ($i % 5 -eq 2) { $rules += New-TestRule udp 500 500 '0.0.0.0/0' 'ike' }
            if ($i % 6 -eq 3) { $rules += New-TestRule icmp 8 -1 '0.0.0.0/0' 'ping' }
            if ($i % 7 -eq 4) { $rules += New-TestRule '50' -1 -1 '0.0.0.0/0' 'esp' }
            New-TestGroup ('sg-{0:d17}' -f $i) "group-$i" -VpcId 'vpc-1' -Rules $rules
        }
        @{ regions = @{ 'us-east-1' = @{ groups = @($list) } } }
    }

    # The rule set of the world, as comparable text: group, direction, protocol, ports, source, description.
    function script:Get-RuleSet {
        $w = Get-TestWorld $script:Ec2
        @(foreach ($g in $w.Regions.'us-east-1'.Groups) {
            foreach ($r in $g.Rules) {
                "$($g.GroupId)|$($r.Egress)|$($r.IpProtocol)|$($r.FromPort)|$($r.ToPort)|$($r.CidrIpv4)$($r.CidrIpv6)$($r.ReferencedGroupId)|$($r.Description)"
            }
        }) | Sort-Object
    }
    function script:Get-Open { @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url) }
    $script:Conn = @{ EndpointUrl = $script:Url }
}
AfterAll { Stop-TestEc2 $script:Ec2 }

Describe 'Revoke, then Restore: the round trip' {
    It 'Get | Export | Revoke leaves no open rule and every other rule untouched; Restore brings back exactly the original set' {
        Set-TestWorld $script:Ec2 (New-MixedWorld 12)
        $original = Get-RuleSet
        $open = Get-Open
        $openGroups = @($open.GroupId | Sort-Object -Unique).Count
        $record = Join-Path $TestDrive 'round-trip.jsonl'
        Reset-TestCalls $script:Ec2

        $results = @($open | Export-IngressAudit -Path $record | Revoke-OpenIngressRule @script:Conn -Force)

        $results.Count | Should -Be $open.Count
        $results | ForEach-Object { $_.Status | Should -Be 'Revoked' }
        $results[0].GetType().FullName | Should -Be 'SgNarrower.IngressRuleChange'
        $results[0].AuditUri | Should -Be $record
        (Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress).Count | Should -Be $openGroups
        # The live rules of every group are read in one batched describe before anything changes.
        (Get-TestCalls $script:Ec2 DescribeSecurityGroupRules).Count | Should -Be 1
        Get-Open | Should -BeNullOrEmpty
        $openText = @($open | ForEach-Object { "$($_.GroupId)|False|$($_.IpProtocol)|$($_.FromPort)|$($_.ToPort)|$($_.Cidr)|$($_.Description)" })
        Get-RuleSet | Should -Be @($original | Where-Object { $openText -notcontains $_ })

        Reset-TestCalls $script:Ec2
        $restored = @(Restore-IngressRule -TrustUnsignedRecord -Path $record @script:Conn -Force)
        $restored | ForEach-Object { $_.Status | Should -Be 'Restored' }
        $restored | ForEach-Object { $_.NewRuleIds[0] | Should -Match '^sgr-' }
        (Get-TestCalls $script:Ec2 AuthorizeSecurityGroupIngress).Count | Should -Be $openGroups
        Get-RuleSet | Should -Be $original
    }

    It 'streams: the first rules are revoked while later ones are still coming down the pipeline' {
        Set-TestWorld $script:Ec2 (New-MixedWorld 12)
        $open = @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url)
        Reset-TestCalls $script:Ec2
        $lastSent = $null
        # A slow producer: one rule every 400 ms, as a long scan of many accounts would give them.
        $results = @($open | ForEach-Object { Start-Sleep -Milliseconds 400; $lastSent = [DateTime]::UtcNow; $_ } |
            Revoke-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Url -SkipAudit -Force)
        $results.Count | Should -Be $open.Count
        $results | ForEach-Object { "$($_.Status)" | Should -Be 'Revoked' }
        $firstRevoke = [DateTime](@(Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress)[0].at)
        $firstRevoke.ToUniversalTime() | Should -BeLessThan $lastSent
    }

    It 'narrows: the replacement exists with the same ports before the open rule goes, and Restore undoes it exactly' {
        Set-TestWorld $script:Ec2 (New-MixedWorld 6)
        $original = Get-RuleSet
        $record = Join-Path $TestDrive 'narrow.jsonl'
        Reset-TestCalls $script:Ec2
        $results = @(Get-Open | Export-IngressAudit -Path $record | Revoke-OpenIngressRule @script:Conn -ReplaceWith 203.0.113.0/24, 2001:db8::/32 -Force)
        # Each rule gets the replacement of its own family: nothing is widened.
        $results | ForEach-Object { $_.Status | Should -Be 'Narrowed'; $_.ReplacedWith | Should -Be @(if ($_.CidrIpv6) { '2001:db8::/32' } else { '203.0.113.0/24' }) }
        Get-Open | Should -BeNullOrEmpty

        # Narrowing to one source of the rule's family edits it in place: one mutating call per group, ids kept.
        $groups = @($results.GroupId | Sort-Object -Unique).Count
        @(Get-TestCalls $script:Ec2 ModifySecurityGroupRules).Count | Should -Be $groups
        @(Get-TestCalls $script:Ec2 | Where-Object { $_.Action -in 'AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress' }).Count | Should -Be 0
        $world = Get-TestWorld $script:Ec2
        $g0 = $world.Regions.'us-east-1'.Groups | Where-Object GroupId -eq 'sg-00000000000000000'
        $ssh = @($g0.Rules | Where-Object { $_.IpProtocol -eq 'tcp' -and $_.FromPort -eq 22 -and $_.CidrIpv4 -eq '203.0.113.0/24' })
        $ssh.Count | Should -Be 1
        $ssh[0].RuleId | Should -Be ($results | Where-Object { $_.GroupId -eq 'sg-00000000000000000' -and $_.CidrIpv4 -and $_.FromPort -eq 22 }).SecurityGroupRuleId
        $ssh[0].Description | Should -BeLike 'SgNarrower: replaces 0.0.0.0/0 (sgr-*)'
        $ssh[0].Tags.'sgnarrower:narrowed' | Should -Be $results[0].AuditRunId
        @($g0.Rules | Where-Object { $_.FromPort -eq 22 -and $_.CidrIpv6 -eq '2001:db8::/32' }).Count | Should -Be 1

        Restore-IngressRule -TrustUnsignedRecord -Path $record @script:Conn -Force | Out-Null
        Get-RuleSet | Should -Be $original
    }

    It 'a failed grant leaves the open rule in place and says so; other groups are narrowed' {
        Set-TestWorld $script:Ec2 (New-MixedWorld 6)
        Add-TestFault $script:Ec2 -Action AuthorizeSecurityGroupIngress -GroupId sg-00000000000000000 -Code UnauthorizedOperation -Status 403
        # Two sources of each family: the second is granted as a new rule before the open rule is edited into the first.
        $results = @(Get-Open | Revoke-OpenIngressRule @script:Conn -ReplaceWith 198.51.100.0/24, 192.0.2.0/24, 2001:db8:5::/48, 2001:db8:6::/48 -AuditPath (Join-Path $TestDrive 'j1.jsonl') -Force -ErrorVariable errs -ErrorAction SilentlyContinue)
        $failed = @($results | Where-Object GroupId -eq 'sg-00000000000000000')
        $failed | ForEach-Object { $_.Status | Should -Be 'Failed'; $_.Error | Should -BeLike '*left in place*ec2:AuthorizeSecurityGroupIngress*' }
        @($results | Where-Object GroupId -ne 'sg-00000000000000000' | Where-Object Status -ne 'Narrowed').Count | Should -Be 0
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'AccessDenied,*'
        @(Get-Open | Where-Object GroupId -eq 'sg-00000000000000000').Count | Should -Be $failed.Count
    }

    It 'a replacement that already exists is fine' {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup sg-x -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0'), (New-TestRule tcp 22 22 '203.0.113.0/24' 'office'))
        ) } } }
        $r = @(Get-Open | Revoke-OpenIngressRule @script:Conn -ReplaceWith 203.0.113.0/24 -SkipAudit -Force)
        $r.Status | Should -Be 'Narrowed'
        Get-RuleSet | Should -Be @('sg-x|False|tcp|22|22|203.0.113.0/24|office')
    }
}

Describe 'Revoke-OpenIngressRule when the world moved' {
    It 'a rule removed by someone else between scan and revoke is AlreadyAbsent, the others are revoked' {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup sg-a -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0'), (New-TestRule tcp 80 80 '0.0.0.0/0'), (New-TestRule tcp 443 443 '::/0'))
        ) } } }
        $open = Get-Open
        Remove-TestRule $script:Ec2 -RuleId ($open | Where-Object FromPort -eq 80).SecurityGroupRuleId
        Reset-TestCalls $script:Ec2
        $r = @($open | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force)
        ($r | Where-Object FromPort -eq 80).Status | Should -Be 'AlreadyAbsent'
        @($r | Where-Object Status -eq 'Revoked').Count | Should -Be 2
        Get-Open | Should -BeNullOrEmpty
        # Planned against the live group, so the missing rule never makes EC2 refuse the call.
        (Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress).Count | Should -Be 1
    }

    It 'a group deleted in between: its rules are AlreadyAbsent; access denied on one group: Failed with an error; the rest succeed' {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup sg-gone -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0')
            New-TestGroup sg-denied -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0')
            New-TestGroup sg-ok -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0'), (New-TestRule '-1' -1 -1 '::/0'))
        ) } } }
        $open = Get-Open
        Remove-TestGroup $script:Ec2 -GroupId sg-gone
        Add-TestFault $script:Ec2 -Action RevokeSecurityGroupIngress -GroupId sg-denied -Code UnauthorizedOperation -Status 403
        $r = @($open | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force -ErrorVariable errs -ErrorAction SilentlyContinue)
        ($r | Where-Object GroupId -eq sg-gone).Status | Should -Be 'AlreadyAbsent'
        ($r | Where-Object GroupId -eq sg-denied).Status | Should -Be 'Failed'
        ($r | Where-Object GroupId -eq sg-denied).Error | Should -BeLike '*ec2:RevokeSecurityGroupIngress*'
        @($r | Where-Object GroupId -eq sg-ok).Status | Should -Be @('Revoked', 'Revoked')
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'AccessDenied,*'
        $errs[0].TargetObject.GroupId | Should -Be 'sg-denied'
    }

    It 'throttling is retried and the rule is revoked' {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(New-TestGroup sg-t -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0')) } } }
        Add-TestFault $script:Ec2 -Action RevokeSecurityGroupIngress -Code RequestLimitExceeded -Status 503 -Times 2
        $r = Get-Open | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force
        $r.Status | Should -Be 'Revoked'
        (Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress).Count | Should -Be 3
    }

    It 'in the default VPC, rules revoked by permission that are unknown come back AlreadyAbsent' {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup sg-d -DefaultVpc -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0')
        ) } } }
        $rows = @(
            [pscustomobject]@{ GroupId = 'sg-d'; IpProtocol = 'tcp'; FromPort = '22'; ToPort = '22'; CidrIpv4 = '0.0.0.0/0'; CidrIpv6 = '' }
            [pscustomobject]@{ GroupId = 'sg-d'; IpProtocol = 'tcp'; FromPort = '23'; ToPort = '23'; CidrIpv4 = '0.0.0.0/0'; CidrIpv6 = '' }
        )
        $r = @($rows | Revoke-OpenIngressRule -Region us-east-1 @script:Conn -SkipAudit -Force)
        $r.Status | Should -Be @('Revoked', 'AlreadyAbsent')
    }
}

Describe 'Revoke-OpenIngressRule safety' {
    BeforeEach {
        Set-TestWorld $script:Ec2 (New-MixedWorld 3)
        Reset-TestCalls $script:Ec2
    }

    It '-WhatIf changes nothing, writes no journal, and reports every rule as Skipped' {
        $journal = Join-Path $TestDrive 'whatif'
        New-Item -ItemType Directory $journal | Out-Null
        $open = Get-Open
        Reset-TestCalls $script:Ec2
        $r = @($open | Revoke-OpenIngressRule @script:Conn -AuditPath $journal -WhatIf)
        $r.Count | Should -Be $open.Count
        $r | ForEach-Object { $_.Status | Should -Be 'Skipped' }
        # It reads the groups to plan, and changes nothing.
        @(Get-TestCalls $script:Ec2 | Where-Object Action -notlike 'Describe*').Count | Should -Be 0
        @(Get-ChildItem $journal).Count | Should -Be 0
    }

    It 'journals rules that were not recorded before revoking them, and says where' {
        $journal = Join-Path $TestDrive 'journal'
        New-Item -ItemType Directory $journal | Out-Null
        $open = Get-Open
        $info = $null
        $r = @($open | Revoke-OpenIngressRule @script:Conn -AuditPath $journal -Force -InformationVariable info)
        $file = @(Get-ChildItem $journal)
        $file.Count | Should -Be 1
        $file[0].Name | Should -BeLike 'revoke-ingress-audit-*.jsonl'
        @(Get-Content $file[0].FullName).Count | Should -Be $open.Count
        $r | ForEach-Object { $_.AuditUri | Should -Be $file[0].FullName }
        ($info.MessageData.Message -join '') | Should -BeLike "*Journaled $($open.Count) rule(s)*"
        # The journal is a record like any other: Restore puts everything back.
        Restore-IngressRule -TrustUnsignedRecord -Path $file[0].FullName @script:Conn -Force | Out-Null
        @(Get-Open).Count | Should -Be $open.Count
    }

    It 'revokes nothing when the journal cannot be written' {
        $r = { Get-Open | Revoke-OpenIngressRule @script:Conn -AuditPath (Join-Path $TestDrive 'no/such/dir/j.jsonl') -Force } | Should -Throw -PassThru
        $r.FullyQualifiedErrorId | Should -BeLike 'AuditFileNotWritten,*'
        (Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress).Count | Should -Be 0
    }

    It 'takes Import-Csv of a CSV record, by property name' {
        $csv = Join-Path $TestDrive 'rec.csv'
        Get-Open | Export-IngressAudit -Path $csv -Format Csv | Out-Null
        $journal = Join-Path $TestDrive 'csv-journal.jsonl'
        $r = @(Import-Csv $csv | Revoke-OpenIngressRule @script:Conn -AuditPath $journal -Force)
        # A CSV row does not say it is recorded, so it is journaled too: never a rule without a record.
        $r | ForEach-Object { $_.Status | Should -Be 'Revoked'; $_.AuditUri | Should -Be $journal }
        Get-Open | Should -BeNullOrEmpty
        ($r | Where-Object IpProtocol -eq '-1' | Select-Object -First 1).FromPort | Should -Be -1
    }

    It 'rejects a world-open or malformed replacement before doing anything' {
        { Get-Open | Revoke-OpenIngressRule @script:Conn -ReplaceWith 0.0.0.0/0 -Force } | Should -Throw -ErrorId 'InvalidReplacement,SgNarrower.Commands.RevokeOpenIngressRuleCommand'
        { Get-Open | Revoke-OpenIngressRule @script:Conn -ReplaceWith 'office' -Force } | Should -Throw -ErrorId 'InvalidReplacement,SgNarrower.Commands.RevokeOpenIngressRuleCommand'
        (Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress).Count | Should -Be 0
    }

    It 'results pipe into Export-IngressAudit with their statuses' {
        $file = Join-Path $TestDrive 'results.jsonl'
        Get-Open | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force | Export-IngressAudit -Path $file | Out-Null
        $lines = Get-Content $file | ConvertFrom-Json
        $lines | ForEach-Object { $_.Status | Should -Be 'Revoked' }
        # and the results record restores
        Restore-IngressRule -TrustUnsignedRecord -Path $file @script:Conn -Force | ForEach-Object { $_.Status | Should -Be 'Restored' }
    }
}

Describe 'Restore-IngressRule' {
    BeforeEach { Set-TestWorld $script:Ec2 (New-MixedWorld 3); Reset-TestCalls $script:Ec2 }

    It 'reports rules that exist as AlreadyPresent, not errors' {
        $file = Join-Path $TestDrive 'present.jsonl'
        $open = Get-Open
        $open | Export-IngressAudit -Path $file | Out-Null
        $r = @(Restore-IngressRule -TrustUnsignedRecord -Path $file @script:Conn -Force)
        $r | ForEach-Object { $_.Status | Should -Be 'AlreadyPresent' }
        (Get-TestCalls $script:Ec2 AuthorizeSecurityGroupIngress).Count | Should -Be 0
    }

    It '-WhatIf shows the plan and grants nothing' {
        $file = Join-Path $TestDrive 'plan.jsonl'
        Get-Open | Export-IngressAudit -Path $file | Revoke-OpenIngressRule @script:Conn -Force | Out-Null
        Reset-TestCalls $script:Ec2
        $r = @(Restore-IngressRule -TrustUnsignedRecord -Path $file @script:Conn -WhatIf)
        $r | ForEach-Object { $_.Status | Should -Be 'Skipped' }
        @(Get-TestCalls $script:Ec2 | Where-Object Action -notlike 'Describe*').Count | Should -Be 0
    }

    It 'a malformed line, or an unknown format version, is an error naming the line, and nothing is granted' {
        $file = Join-Path $TestDrive 'bad.jsonl'
        Get-Open | Export-IngressAudit -Path $file | Revoke-OpenIngressRule @script:Conn -Force | Out-Null
        Reset-TestCalls $script:Ec2
        $lines = @(Get-Content $file)
        Set-Content $file ($lines[0], '{"RecordType":"Rule", broken', $lines[1])
        $err = { Restore-IngressRule -Path $file @script:Conn -Force } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidAuditRecord,*'
        $err.Exception.Message | Should -BeLike '*line 2*'
        Set-Content $file ($lines[0], ($lines[1] -replace '"FormatVersion":1', '"FormatVersion":9'))
        { Restore-IngressRule -Path $file @script:Conn -Force } | Should -Throw -ExpectedMessage '*line 2*format version 9*'
        (Get-TestCalls $script:Ec2 AuthorizeSecurityGroupIngress).Count | Should -Be 0
    }

    It 'puts back from an S3 record, by bucket and key and by s3:// URI' {
        $s3 = Start-TestS3
        try {
            $keys = @{ AccessKey = $s3.AccessKey; SecretKey = $s3.SecretKey; Region = 'us-east-1' }
            $open = Get-Open
            $revoked = @($open | Export-IngressAudit -BucketName audit @keys -EndpointUrl $s3.Url -ServerSideEncryption None |
                Revoke-OpenIngressRule @keys -EndpointUrl $script:Url -Force)
            $uri = $revoked[0].AuditUri
            $uri | Should -BeLike 's3://audit/*'
            Get-Open | Should -BeNullOrEmpty

            $plan = @(Restore-IngressRule -TrustUnsignedRecord -BucketName audit -Key $uri.Substring('s3://audit/'.Length) @keys -S3EndpointUrl $s3.Url -EndpointUrl $script:Url -WhatIf)
            $plan.Count | Should -Be $open.Count
            $plan | ForEach-Object { $_.Status | Should -Be 'Skipped' }
            Get-Open | Should -BeNullOrEmpty

            $back = @(Restore-IngressRule -TrustUnsignedRecord -Uri $uri @keys -S3EndpointUrl $s3.Url -EndpointUrl $script:Url -Force)
            @($back | Where-Object Status -eq 'Restored').Count | Should -Be $open.Count
            @(Get-Open).Count | Should -Be $open.Count

            $err = { Restore-IngressRule -Uri 's3://audit/no/such/key.jsonl' @keys -S3EndpointUrl $s3.Url -EndpointUrl $script:Url -Force } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'NoSuchKey,*'
        }
        finally { Stop-TestS3 $s3 }
    }

    It 'an s3:// URI without a key is an error before any call' {
        $err = { Restore-IngressRule -Uri 's3://audit/' @script:Conn -Force } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidUri,*'
        (Get-TestCalls $script:Ec2).Count | Should -Be 0
    }

    It 'result objects whose status says SgNarrower did not remove the rule are not put back' {
        $open = Get-Open
        $first = $open[0]
        Remove-TestRule $script:Ec2 -RuleId $first.SecurityGroupRuleId
        $results = @($open | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force)
        ($results | Where-Object SecurityGroupRuleId -eq $first.SecurityGroupRuleId).Status | Should -Be 'AlreadyAbsent'
        $back = @($results | Restore-IngressRule @script:Conn -Force)
        ($back | Where-Object SecurityGroupRuleId -eq $first.SecurityGroupRuleId).Status | Should -Be 'Skipped'
        @(Get-Open).Count | Should -Be ($open.Count - 1)
    }
}
