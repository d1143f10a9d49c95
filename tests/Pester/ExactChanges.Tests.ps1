# Revoke and Restore change exactly the recorded rules that still exist, whatever happened since they were recorded.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $script:Conn = @{ EndpointUrl = $script:Ec2.Url }

    # The rule set of a region as comparable text (ids left out: a restore gives new ids).
    function script:Get-RuleSet([string] $Region = 'us-east-1') {
        $w = Get-TestWorld $script:Ec2
        @(foreach ($g in $w.Regions.$Region.Groups) {
            foreach ($r in @($g.Rules | Where-Object { -not $_.Egress })) {
                "$($g.GroupId)|$($r.IpProtocol)|$($r.FromPort)|$($r.ToPort)|$($r.CidrIpv4)$($r.CidrIpv6)$($r.ReferencedGroupId)|$($r.Description)"
            }
        }) | Sort-Object
    }
    function script:Get-Open([string[]] $Region = 'us-east-1') { @(Get-OpenIngressRule -Region $Region @script:Conn) }
    function script:Set-OneGroup([object[]] $Rules, [string] $Region = 'us-east-1') {
        Set-TestWorld $script:Ec2 @{ regions = @{ $Region = @{ groups = @(New-TestGroup sg-1 -Rules $Rules) } } }
    }
}
AfterAll { Stop-TestEc2 $script:Ec2 }

Describe 'A recorded rule id is a hint, checked against the group as it is now' {
    It 'a rule edited in place since it was recorded is left alone: the office /32 under the recorded id is not revoked' {
        Set-OneGroup @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule tcp 443 443 '0.0.0.0/0' 'web'))
        $csv = Join-Path $TestDrive 'rec.csv'
        Get-Open | Where-Object FromPort -eq 22 | Export-IngressAudit -Path $csv -Format Csv | Out-Null
        $id = (Import-Csv $csv).SecurityGroupRuleId
        Set-TestRuleInPlace $script:Ec2 -RuleId $id -CidrIpv4 '198.51.100.7/32' -Description 'office'
        $before = Get-RuleSet

        $r = @(Import-Csv $csv | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force)

        $r.Status | Should -Be 'AlreadyAbsent'
        $r.Error | Should -BeLike "*rule $id now allows tcp 22 from 198.51.100.7/32*"
        Get-RuleSet | Should -Be $before
        @(Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress).Count | Should -Be 0
        # and restoring the results puts nothing back
        $back = @($r | Restore-IngressRule @script:Conn -Force)
        $back.Status | Should -Be 'Skipped'
        Get-RuleSet | Should -Be $before
    }

    It 'after a restore the ids are new, and revoking from the original record finds the same rule under its new id' {
        Set-OneGroup @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule udp 53 53 '::/0' 'dns'))
        $record = Join-Path $TestDrive 'orig.jsonl'
        $first = @(Get-Open | Export-IngressAudit -Path $record | Revoke-OpenIngressRule @script:Conn -Force)
        $first.Status | Should -Be @('Revoked', 'Revoked')
        Restore-IngressRule -TrustUnsignedRecord -Path $record @script:Conn -Force | Out-Null
        $again = @(Get-Content $record | ConvertFrom-Json | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force)
        $again.Status | Should -Be @('Revoked', 'Revoked')
        $again.SecurityGroupRuleId | ForEach-Object { $_ | Should -Not -BeIn $first.SecurityGroupRuleId }
        Get-Open | Should -BeNullOrEmpty
    }
}

Describe 'Input is complete or refused' {
    BeforeEach { Set-OneGroup @((New-TestRule '-1' -1 -1 '0.0.0.0/0' 'all'), (New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh')) }

    It 'a hand-made object without IpProtocol is refused, and the group''s all-traffic rule stays' {
        $before = Get-RuleSet
        $r = @([pscustomobject]@{ GroupId = 'sg-1'; CidrIpv4 = '0.0.0.0/0'; Region = 'us-east-1' } |
            Revoke-OpenIngressRule @script:Conn -SkipAudit -Force -ErrorVariable errs -ErrorAction SilentlyContinue)
        $r | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidRuleObject,*'
        $errs[0].Exception.Message | Should -BeLike '*no IpProtocol*'
        Get-RuleSet | Should -Be $before
    }

    It 'a bad object among good ones is refused alone; ports out of range and a missing port are refused' {
        $rows = @(
            [pscustomobject]@{ GroupId = 'sg-1'; IpProtocol = 'tcp'; FromPort = '22'; ToPort = '22'; CidrIpv4 = '0.0.0.0/0' }
            [pscustomobject]@{ GroupId = 'sg-1'; IpProtocol = 'tcp'; FromPort = '0'; ToPort = '70000'; CidrIpv4 = '0.0.0.0/0' }
            [pscustomobject]@{ GroupId = 'sg-1'; IpProtocol = 'tcp'; FromPort = ''; ToPort = '22'; CidrIpv4 = '0.0.0.0/0' }
        )
        $r = @($rows | Revoke-OpenIngressRule -Region us-east-1 @script:Conn -SkipAudit -Force -ErrorVariable errs -ErrorAction SilentlyContinue)
        $r.Count | Should -Be 1
        $r[0].Status | Should -Be 'Revoked'
        $errs.Count | Should -Be 2
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'InvalidRuleObject,*' }
    }

    It 'a CSV record without the IpProtocol column restores nothing and names the line' {
        $csv = Join-Path $TestDrive 'partial.csv'
        Get-Open | Export-IngressAudit -Path $csv -Format Csv | Revoke-OpenIngressRule @script:Conn -Force | Out-Null
        $partial = Join-Path $TestDrive 'no-protocol.csv'
        Import-Csv $csv | Select-Object * -ExcludeProperty IpProtocol | Export-Csv $partial -NoTypeInformation
        Reset-TestCalls $script:Ec2
        $err = { Restore-IngressRule -Path $partial @script:Conn -Force } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidAuditRecord,*'
        $err.Exception.Message | Should -BeLike '*line 2*no IpProtocol*'
        @(Get-TestCalls $script:Ec2 AuthorizeSecurityGroupIngress).Count | Should -Be 0
        Get-Open | Should -BeNullOrEmpty
    }

    It 'a record line with a rule id but no ports grants nothing' {
        $file = Join-Path $TestDrive 'noports.jsonl'
        '{"RecordType":"Rule","FormatVersion":1,"RunId":"r","GroupId":"sg-1","SecurityGroupRuleId":"sgr-1","IpProtocol":"udp","CidrIpv4":"0.0.0.0/0"}' | Set-Content $file
        { Restore-IngressRule -Path $file -Region us-east-1 @script:Conn -Force } | Should -Throw -ExpectedMessage '*line 1*needs FromPort and ToPort*'
    }
}

Describe 'Lost replies' {
    It 'a revoke whose reply is lost is reported Revoked, and the results restore exactly' {
        $groups = foreach ($i in 0..29) {
            New-TestGroup ('sg-{0:d4}' -f $i) -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0' "ssh $i"), (New-TestRule udp 500 500 '::/0' 'ike'), (New-TestRule tcp 80 80 '10.0.0.0/8' 'lan'))
        }
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @($groups) } } }
        $before = Get-RuleSet
        $open = Get-Open
        Add-TestFault $script:Ec2 -Action RevokeSecurityGroupIngress -LostReply -Probability 0.2 -Seed 3
        Add-TestFault $script:Ec2 -Action AuthorizeSecurityGroupIngress -LostReply -Probability 0.2 -Seed 4

        $results = @($open | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force)

        $results.Count | Should -Be 60
        $results | ForEach-Object { $_.Status | Should -Be 'Revoked' }
        @(Get-TestCalls $script:Ec2 RevokeSecurityGroupIngress | Where-Object ReplyLost).Count | Should -BeGreaterThan 0
        Get-Open | Should -BeNullOrEmpty
        $back = @($results | Restore-IngressRule @script:Conn -Force)
        $back | ForEach-Object { $_.Status | Should -Be 'Restored' }
        Get-RuleSet | Should -Be $before
    }

    It 'narrowing through lost replies, then restoring from the results, leaves no replacement behind' {
        Set-OneGroup @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule tcp 22 22 '::/0' 'ssh6'))
        $before = Get-RuleSet
        Add-TestFault $script:Ec2 -Action AuthorizeSecurityGroupIngress -LostReply -Times 1
        Add-TestFault $script:Ec2 -Action RevokeSecurityGroupIngress -LostReply -Times 2
        $results = @(Get-Open | Revoke-OpenIngressRule @script:Conn -ReplaceWith 203.0.113.0/24, 2001:db8::/48 -SkipAudit -Force)
        $results.Status | Should -Be @('Narrowed', 'Narrowed')
        $back = @($results | Restore-IngressRule @script:Conn -Force)
        $back.Status | Should -Be @('Restored', 'Restored')
        Get-RuleSet | Should -Be $before
    }
}

Describe 'Regions: a rule''s own region wins' {
    It '-Region on the command line does not override piped rules from two regions' {
        $world = @{ regions = @{
            'us-east-2' = @{ groups = @(New-TestGroup sg-east -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0' 'east')) }
            'us-west-2' = @{ groups = @(New-TestGroup sg-west -Rules @(New-TestRule tcp 3389 3389 '0.0.0.0/0' 'west')) }
        } }
        Set-TestWorld $script:Ec2 $world
        $journal = Join-Path $TestDrive 'regions.jsonl'
        $r = @(Get-Open -Region us-east-2, us-west-2 | Revoke-OpenIngressRule -Region us-east-2 @script:Conn -AuditPath $journal -Force)
        $r.Count | Should -Be 2
        $r | ForEach-Object { $_.Status | Should -Be 'Revoked' }
        ($r | Where-Object GroupId -eq sg-west).Region | Should -Be 'us-west-2'
        Get-Open -Region us-east-2, us-west-2 | Should -BeNullOrEmpty
        (Get-Content $journal | ConvertFrom-Json | Where-Object GroupId -eq sg-west).Region | Should -Be 'us-west-2'
    }

    It 'a group that is not in the region given by -Region is an error, not AlreadyAbsent' {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-west-2' = @{ groups = @(New-TestGroup sg-west -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0')) } } }
        $row = [pscustomobject]@{ GroupId = 'sg-west'; IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '0.0.0.0/0' }
        $r = $row | Revoke-OpenIngressRule -Region us-east-2 @script:Conn -SkipAudit -Force -ErrorVariable errs -ErrorAction SilentlyContinue
        $r.Status | Should -Be 'Failed'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'SecurityGroupNotFound,*'
        @(Get-Open -Region us-west-2).Count | Should -Be 1
    }
}

Describe 'Restoring one run leaves another run''s narrowing in place' {
    It 'restore of run A removes only A''s replacements, in either order, and both restores give back the original' {
        foreach ($aFirst in $true, $false) {
            Set-OneGroup @((New-TestRule tcp 22 22 '0.0.0.0/0' 'v4'), (New-TestRule tcp 22 22 '::/0' 'v6'))
            $before = Get-RuleSet
            $recA = Join-Path $TestDrive "a-$aFirst.jsonl"; $recB = Join-Path $TestDrive "b-$aFirst.jsonl"
            Get-Open | Where-Object CidrIpv4 | Export-IngressAudit -Path $recA | Revoke-OpenIngressRule @script:Conn -ReplaceWith 203.0.113.0/24 -Force | Out-Null
            Get-Open | Where-Object CidrIpv6 | Export-IngressAudit -Path $recB | Revoke-OpenIngressRule @script:Conn -ReplaceWith 2001:db8::/48 -Force | Out-Null
            Restore-IngressRule -TrustUnsignedRecord -Path ($aFirst ? $recA : $recB) @script:Conn -Force | Out-Null
            $now = Get-RuleSet
            # The run not restored keeps its replacement; the restored run's is gone and its open rule is back.
            @($now | Where-Object { $_ -like ($aFirst ? 'sg-1|tcp|22|22|2001:db8::/48|SgNarrower: replaces ::/0 (*' : 'sg-1|tcp|22|22|203.0.113.0/24|SgNarrower: replaces 0.0.0.0/0 (*') }).Count | Should -Be 1
            @($now | Where-Object { $_ -like ($aFirst ? '*203.0.113.0/24*' : '*2001:db8::/48*') }).Count | Should -Be 0
            $now | Should -Contain ($aFirst ? 'sg-1|tcp|22|22|0.0.0.0/0|v4' : 'sg-1|tcp|22|22|::/0|v6')
            Restore-IngressRule -TrustUnsignedRecord -Path ($aFirst ? $recB : $recA) @script:Conn -Force | Out-Null
            Get-RuleSet | Should -Be $before
        }
    }
}

Describe 'Narrowing never widens' {
    It 'an IPv4 replacement does not narrow a ::/0 rule: it stays, Failed with NoReplacementForFamily' {
        Set-OneGroup @((New-TestRule tcp 443 443 '::/0' 'v6 web'), (New-TestRule tcp 443 443 '0.0.0.0/0' 'v4 web'))
        $r = @(Get-Open | Revoke-OpenIngressRule @script:Conn -ReplaceWith '203.0.113.0/24 ' -SkipAudit -Force -ErrorVariable errs -ErrorAction SilentlyContinue)
        ($r | Where-Object CidrIpv6).Status | Should -Be 'Failed'
        ($r | Where-Object CidrIpv6).ErrorId | Should -Be 'NoReplacementForFamily'
        ($r | Where-Object CidrIpv4).Status | Should -Be 'Narrowed'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'NoReplacementForFamily,*'
        $w = (Get-TestWorld $script:Ec2).Regions.'us-east-1'.Groups[0].Rules
        @($w | Where-Object CidrIpv6 -eq '::/0').Count | Should -Be 1
        @($w | Where-Object CidrIpv4 -eq '203.0.113.0/24').Description | Should -BeLike 'SgNarrower: replaces 0.0.0.0/0 (sgr-*)'
    }

    It 'refuses replacements broader than /8 or with host bits, before anything is read or changed' {
        Set-OneGroup @(New-TestRule tcp 22 22 '0.0.0.0/0')
        Reset-TestCalls $script:Ec2
        foreach ($bad in '0.0.0.0/1', '10.0.0.0/7', '2001:db8::/16', '203.0.113.5/24') {
            { Get-Open | Revoke-OpenIngressRule @script:Conn -ReplaceWith $bad -Force } | Should -Throw -ErrorId 'InvalidReplacement,SgNarrower.Commands.RevokeOpenIngressRuleCommand'
        }
        @(Get-TestCalls $script:Ec2 | Where-Object Action -notlike 'Describe*').Count | Should -Be 0
    }
}

Describe 'Status survives the trip through files' {
    It 'results through Export-Clixml/Import-Clixml and ConvertTo-Json keep what Restore needs: AlreadyAbsent rows are skipped' {
        Set-OneGroup @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule tcp 80 80 '0.0.0.0/0' 'web'))
        $before = Get-RuleSet
        $open = Get-Open
        Remove-TestRule $script:Ec2 -RuleId ($open | Where-Object FromPort -eq 80).SecurityGroupRuleId
        $results = @($open | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force)
        ($results | Where-Object FromPort -eq 80).Status | Should -Be 'AlreadyAbsent'

        $xml = Join-Path $TestDrive 'results.xml'
        $results | Export-Clixml $xml
        $back = @(Import-Clixml $xml | Restore-IngressRule -TrustUnsignedRecord @script:Conn -Force)
        ($back | Where-Object FromPort -eq 80).Status | Should -Be 'Skipped'
        ($back | Where-Object FromPort -eq 22).Status | Should -Be 'Restored'
        Get-RuleSet | Should -Be @($before | Where-Object { $_ -notlike '*|80|80|*' })

        $json = $results | ConvertTo-Json -Depth 5 | ConvertFrom-Json
        ($json | Where-Object FromPort -eq 80).Status | Should -BeOfType [long]
        $again = @($json | Restore-IngressRule -TrustUnsignedRecord @script:Conn -Force)
        ($again | Where-Object FromPort -eq 80).Status | Should -Be 'Skipped'
        ($again | Where-Object FromPort -eq 22).Status | Should -Be 'AlreadyPresent'
    }

    It 'results recorded by Export-IngressAudit carry their statuses by name' {
        Set-OneGroup @(New-TestRule tcp 22 22 '0.0.0.0/0')
        $file = Join-Path $TestDrive 'statuses.csv'
        Get-Open | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force | Export-IngressAudit -Path $file -Format Csv | Out-Null
        (Import-Csv $file).Status | Should -Be 'Revoked'
    }
}

Describe 'Records: S3 names and spreadsheet-safe CSV' {
    It 'refuses keys and bucket names that would store another object, before writing or passing anything on' {
        Set-OneGroup @(New-TestRule tcp 22 22 '0.0.0.0/0')
        $open = Get-Open
        foreach ($case in @{ BucketName = 'audit'; Key = '../other-bucket/x.jsonl' }, @{ BucketName = 'audit/evil' }, @{ BucketName = 'audit'; KeyPrefix = 'a/../b' }, @{ BucketName = 'audit'; Key = '/x.jsonl' }) {
            $out = $null
            $err = { $script:out = $open | Export-IngressAudit @case -EndpointUrl 'http://127.0.0.1:9' -AccessKey a -SecretKey b -Region us-east-1 } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'InvalidS3Name,*'
            $script:out | Should -BeNullOrEmpty
        }
        { Restore-IngressRule -Uri 's3://audit/a/../b.jsonl' @script:Conn -Force } | Should -Throw -ErrorId 'InvalidUri,SgNarrower.Commands.RestoreIngressRuleCommand'
    }

    It 'writes formula-like descriptions with a leading apostrophe, and Import-Csv rows and the file restore them exactly' {
        Set-OneGroup @((New-TestRule tcp 22 22 '0.0.0.0/0' '=HYPERLINK(http://evil)'), (New-TestRule tcp 80 80 '0.0.0.0/0' '-keep'), (New-TestRule tcp 443 443 '0.0.0.0/0' '@web'))
        $before = Get-RuleSet
        $csv = Join-Path $TestDrive 'safe.csv'
        Get-Open | Export-IngressAudit -Path $csv -Format Csv | Revoke-OpenIngressRule @script:Conn -Force | Out-Null
        $text = Get-Content $csv -Raw
        $text | Should -Match ",'=HYPERLINK"
        $text | Should -Match ",'-keep,"
        $text | Should -Match ",'@web,"
        Import-Csv $csv | Restore-IngressRule -TrustUnsignedRecord @script:Conn -Force | Out-Null
        Get-RuleSet | Should -Be $before
        Get-Open | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force | Out-Null
        Restore-IngressRule -TrustUnsignedRecord -Path $csv @script:Conn -Force | Out-Null
        Get-RuleSet | Should -Be $before
    }
}

Describe 'Revoke-OpenIngressRule called directly' {
    It 'revokes one rule named by group and rule id, journaling it as EC2 holds it' {
        Set-OneGroup @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule tcp 80 80 '0.0.0.0/0' 'web'))
        $id = (Get-Open | Where-Object FromPort -eq 22).SecurityGroupRuleId
        $journal = Join-Path $TestDrive 'direct.jsonl'
        $r = Revoke-OpenIngressRule -GroupId sg-1 -SecurityGroupRuleId $id -Region us-east-1 @script:Conn -AuditPath $journal -Force
        $r.Status | Should -Be 'Revoked'
        $r.Description | Should -Be 'ssh'
        (Get-Content $journal | ConvertFrom-Json).Description | Should -Be 'ssh'
        @(Get-Open).FromPort | Should -Be 80
    }

    It 'revokes one rule named by its fields' {
        Set-OneGroup @((New-TestRule icmp 8 -1 '0.0.0.0/0' 'ping'))
        $r = Revoke-OpenIngressRule -GroupId sg-1 -IpProtocol icmp -FromPort 8 -ToPort -1 -CidrIpv4 0.0.0.0/0 -Region us-east-1 @script:Conn -SkipAudit -Force
        $r.Status | Should -Be 'Revoked'
        Get-Open | Should -BeNullOrEmpty
    }
}
