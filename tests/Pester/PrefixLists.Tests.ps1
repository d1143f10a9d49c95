# Rules whose source is a customer-managed prefix list that holds an open entry are open too.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $script:Conn = @{ Region = 'us-east-1'; EndpointUrl = $script:Ec2.Url }
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "sgn-pl-$([guid]::NewGuid().ToString('n'))"
    New-Item -ItemType Directory $script:Folder | Out-Null
    function Set-PrefixListWorld([string[]] $OpenListEntries) {
        $plRule = { param($pl, $port, $desc) $r = New-TestRule tcp $port $port -Description $desc; $r.prefixListId = $pl; $r }
        # The open list has 30 entries before its open one; it may hold 40, which is what it counts as against a group's
        # quota (with the partners' list, 10, and AWS's, 1, sg-0b01 holds 51 of 60 IPv4 rules).
        $entries = @(if ($OpenListEntries) { $OpenListEntries } else { @(1..30 | ForEach-Object { "10.$_.0.0/16" }) + '0.0.0.0/0' })
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{
            groups = @(
                (New-TestGroup sg-0b01 -Rules @((& $plRule 'pl-0open' 22 'ssh via office list'), (& $plRule 'pl-0closed' 443 'https from partners'), (& $plRule 'pl-02ba4742' 443 'S3 endpoint')))
                (New-TestGroup sg-0b02 -Rules @((& $plRule 'pl-0open' 3389 'rdp via office list'), (New-TestRule tcp 80 80 '0.0.0.0/0' 'web')))
            )
            prefixLists = @(
                @{ prefixListId = 'pl-0open'; prefixListName = 'office'; entries = $entries; maxEntries = 40 }
                @{ prefixListId = 'pl-0closed'; prefixListName = 'partners'; entries = @('198.51.100.0/24', '203.0.113.0/24') }
                @{ prefixListId = 'pl-02ba4742'; prefixListName = 'com.amazonaws.us-east-1.s3'; ownerId = 'AWS'; entries = @('0.0.0.0/0') }
            )
            networkInterfaces = @(
                @{ networkInterfaceId = 'eni-pl1'; instanceId = 'i-pl1'; privateIp = '10.0.0.21'; groups = @('sg-0b01') }
                @{ networkInterfaceId = 'eni-pl2'; instanceId = 'i-pl2'; privateIp = '10.0.0.22'; groups = @('sg-0b02') }
            )
        } } }
    }
    Set-PrefixListWorld
}
AfterAll {
    Stop-TestEc2 $script:Ec2
    Remove-Item -Recurse -Force $script:Folder -ErrorAction SilentlyContinue
}

Describe 'Prefix lists' {
    It 'reports a rule whose customer-managed list holds an open entry, with the list and the entry; AWS-managed and closed lists are not open' {
        Reset-TestCalls $script:Ec2
        $r = @(Get-OpenIngressRule @script:Conn)
        $viaList = @($r | Where-Object PrefixListId)
        $viaList.Count | Should -Be 2
        ($viaList | ForEach-Object { "$($_.GroupId) $($_.PrefixListId) $($_.FromPort) $($_.OpenEntry)" } | Sort-Object) |
            Should -Be @('sg-0b01 pl-0open 22 0.0.0.0/0', 'sg-0b02 pl-0open 3389 0.0.0.0/0')
        ($viaList | Where-Object GroupId -eq sg-0b01).Description | Should -Be 'ssh via office list'
        ($viaList | Where-Object GroupId -eq sg-0b01).SecurityGroupRuleId | Should -Match '^sgr-'
        ($r | Where-Object { -not $_.PrefixListId }).Cidr | Should -Be '0.0.0.0/0'
        # Each list is described once and read once, page by page; AWS's own lists are not read.
        @(Get-TestCalls $script:Ec2 DescribeManagedPrefixLists).Count | Should -Be 1
        $reads = @(Get-TestCalls $script:Ec2 GetManagedPrefixListEntries)
        @($reads | Where-Object { $_.Parameters.PrefixListId -eq 'pl-0open' }).Count | Should -BeGreaterThan 0
        @($reads | Where-Object { $_.Parameters.PrefixListId -eq 'pl-02ba4742' }).Count | Should -Be 0
    }

    It 'revoking removes the reference from the group, says the list is unchanged, and restore puts the reference back' {
        Set-PrefixListWorld
        $record = Join-Path $script:Folder 'pl.csv'
        $results = @(Get-OpenIngressRule @script:Conn | Where-Object PrefixListId | Export-IngressAudit -Path $record | Revoke-OpenIngressRule @script:Conn -Force)
        $results.Count | Should -Be 2
        $results | ForEach-Object { "$($_.Status)" | Should -Be 'Revoked'; $_.Note | Should -Match 'pl-0open' }
        $world = Get-TestWorld $script:Ec2
        $left = @($world.regions.'us-east-1'.groups | ForEach-Object { $_.rules } | Where-Object { $_.prefixListId -eq 'pl-0open' })
        $left.Count | Should -Be 0
        @($world.regions.'us-east-1'.prefixLists | Where-Object prefixListId -eq 'pl-0open').entries.Count | Should -Be 31
        (Import-Csv $record | ForEach-Object PrefixListId | Sort-Object -Unique) | Should -Be 'pl-0open'

        $restored = @(Restore-IngressRule -TrustUnsignedRecord -Path $record @script:Conn -Force)
        $restored | ForEach-Object { "$($_.Status)" | Should -Be 'Restored' }
        $back = @((Get-TestWorld $script:Ec2).regions.'us-east-1'.groups | ForEach-Object { $_.rules } | Where-Object { $_.prefixListId -eq 'pl-0open' })
        ($back | ForEach-Object { "$($_.fromPort) $($_.description)" } | Sort-Object) | Should -Be @('22 ssh via office list', '3389 rdp via office list')
    }

    It '-ReplaceWith is refused for a prefix-list rule, which stays as it is' {
        Set-PrefixListWorld
        $rule = Get-OpenIngressRule @script:Conn | Where-Object { $_.PrefixListId -and $_.GroupId -eq 'sg-0b01' }
        $result = $rule | Export-IngressAudit -Path (Join-Path $script:Folder 'pl2.csv') | Revoke-OpenIngressRule @script:Conn -ReplaceWith 203.0.113.0/24 -Force -ErrorAction SilentlyContinue -ErrorVariable err
        "$($result.Status)" | Should -Not -Be 'Revoked'
        "$($result.Status)" | Should -Not -Be 'Narrowed'
        "$($result.Error)$err" | Should -Match 'prefix list'
        @((Get-TestWorld $script:Ec2).regions.'us-east-1'.groups | ForEach-Object { $_.rules } | Where-Object { $_.prefixListId -eq 'pl-0open' }).Count | Should -Be 2
    }

    It 'a narrowing from evidence is checked against the list as it is now, never against the record''s OpenEntry' {
        Set-PrefixListWorld
        $logs = Join-Path $script:Folder 'flowlogs-now'
        New-Item -ItemType Directory $logs -Force | Out-Null
        $t = [DateTimeOffset]::Parse('2026-11-20T12:00:00Z').ToUnixTimeSeconds()
        @('version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'
          "2 123456789012 eni-pl1 203.0.113.5 10.0.0.21 40000 22 6 10 840 $t $($t + 60) ACCEPT OK") | Set-Content (Join-Path $logs 'f.log')
        $m = @(Get-OpenIngressRule @script:Conn | Where-Object { $_.PrefixListId -eq 'pl-0open' -and $_.GroupId -eq 'sg-0b01' } |
            Measure-OpenIngressRule @script:Conn -FlowLogPath $logs -Since '2026-11-19Z' -Until '2026-11-21Z')
        "$($m[0].Recommendation)" | Should -Be 'Narrow'
        # Meanwhile the list's owner removes its open entry: the rule no longer allows 203.0.113.5.
        Set-PrefixListWorld -OpenListEntries '10.1.0.0/16'
        $before = @((Get-TestWorld $script:Ec2).regions.'us-east-1'.groups | ForEach-Object { $_.rules } | ForEach-Object { "$($_.fromPort) $($_.cidrIpv4)$($_.prefixListId)" })

        $result = @($m | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force -ErrorAction SilentlyContinue -ErrorVariable err)

        "$($result[0].Status) $($result[0].ErrorId)" | Should -Be 'Failed ReplacementOutsideList'
        "$err" | Should -Match 'pl-0open'
        @((Get-TestWorld $script:Ec2).regions.'us-east-1'.groups | ForEach-Object { $_.rules } | ForEach-Object { "$($_.fromPort) $($_.cidrIpv4)$($_.prefixListId)" }) | Should -Be $before
    }

    It 'Measure: a used prefix-list rule is narrowed in its own group to its own sources, the shared list left as it is; restore puts the reference back' {
        Set-PrefixListWorld
        $entriesBefore = @((Get-TestWorld $script:Ec2).regions.'us-east-1'.prefixLists | Where-Object prefixListId -eq 'pl-0open').entries
        $logs = Join-Path $script:Folder 'flowlogs'
        New-Item -ItemType Directory $logs -Force | Out-Null
        $t = [DateTimeOffset]::Parse('2026-11-20T12:00:00Z').ToUnixTimeSeconds()
        @('version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'
          "2 123456789012 eni-pl1 203.0.113.5 10.0.0.21 40000 22 6 10 840 $t $($t + 60) ACCEPT OK"
          "2 123456789012 eni-pl1 203.0.113.9 10.0.0.21 40000 22 6 10 840 $t $($t + 60) ACCEPT OK") | Set-Content (Join-Path $logs 'f.log')
        $m = @(Get-OpenIngressRule @script:Conn | Where-Object PrefixListId |
            Measure-OpenIngressRule @script:Conn -FlowLogPath $logs -Since '2026-11-19Z' -Until '2026-11-21Z')
        $used = $m | Where-Object GroupId -eq sg-0b01
        "$($used.Recommendation)" | Should -Be 'Narrow'
        $used.ReplaceWith | Should -Be @('203.0.113.5/32', '203.0.113.9/32')
        $used.RecommendationReason | Should -Match 'pl-0open'
        $used.RecommendationReason | Should -Match 'left as it is'
        $used.ObservedSourceCount | Should -Be 2
        "$(($m | Where-Object GroupId -eq sg-0b02).Recommendation)" | Should -Be 'Revoke'

        $record = Join-Path $script:Folder 'pl-measured.jsonl'
        $results = @($m | Export-IngressAudit -Path $record | Revoke-OpenIngressRule @script:Conn -Force)
        ($results | ForEach-Object { "$($_.GroupId) $($_.Status)" } | Sort-Object) | Should -Be @('sg-0b01 Narrowed', 'sg-0b02 Revoked')
        $world = Get-TestWorld $script:Ec2
        $rules = @($world.regions.'us-east-1'.groups | Where-Object groupId -eq 'sg-0b01' | ForEach-Object { $_.rules } | Where-Object { -not $_.egress -and $_.fromPort -eq 22 })
        ($rules | ForEach-Object { "$($_.cidrIpv4)$($_.prefixListId)" } | Sort-Object) | Should -Be @('203.0.113.5/32', '203.0.113.9/32')
        # The shared list is untouched.
        @($world.regions.'us-east-1'.prefixLists | Where-Object prefixListId -eq 'pl-0open').entries | Should -Be $entriesBefore

        $restored = @(Restore-IngressRule -TrustUnsignedRecord -Path $record @script:Conn -Force)
        $restored | ForEach-Object { "$($_.Status)" | Should -Be 'Restored' }
        $back = @((Get-TestWorld $script:Ec2).regions.'us-east-1'.groups | ForEach-Object { $_.rules } | Where-Object { $_.prefixListId -eq 'pl-0open' })
        ($back | ForEach-Object { "$($_.fromPort) $($_.description)" } | Sort-Object) | Should -Be @('22 ssh via office list', '3389 rdp via office list')
        @((Get-TestWorld $script:Ec2).regions.'us-east-1'.groups | Where-Object groupId -eq 'sg-0b01' | ForEach-Object { $_.rules } | Where-Object { $_.cidrIpv4 -like '203.0.113.*' }).Count | Should -Be 0
    }
}
