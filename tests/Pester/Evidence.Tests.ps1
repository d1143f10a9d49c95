# Narrowing from evidence: flow logs (local and in S3, AWS's layout) through Measure-OpenIngressRule into Revoke.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $script:Conn = @{ Region = 'us-east-1'; EndpointUrl = $script:Ec2.Url }
    $script:World = @{ regions = @{ 'us-east-1' = @{
        groups = @(
            New-TestGroup sg-0b01 -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh')
            New-TestGroup sg-0b02 -Rules @(New-TestRule tcp 5432 5432 '0.0.0.0/0' 'db')
            New-TestGroup sg-0b03 -Rules @((New-TestRule tcp 443 443 '0.0.0.0/0' 'web'), (New-TestRule tcp 443 443 '::/0' 'web6'))
            New-TestGroup sg-0b04 -Rules @(New-TestRule tcp 3389 3389 '0.0.0.0/0' 'rdp')
            New-TestGroup sg-0b05 -Rules @(New-TestRule tcp 8080 8080 '0.0.0.0/0' 'nothing attached')
        )
        networkInterfaces = @(
            @{ networkInterfaceId = 'eni-a'; instanceId = 'i-a'; privateIp = '10.0.0.11'; publicIp = '198.51.100.201'; groups = @('sg-0b01') }
            @{ networkInterfaceId = 'eni-b'; instanceId = 'i-b'; privateIp = '10.0.0.12'; groups = @('sg-0b02') }
            @{ networkInterfaceId = 'eni-c'; instanceId = 'i-c'; privateIp = '10.0.0.13'; publicIp = '198.51.100.203'; groups = @('sg-0b03') }
            @{ networkInterfaceId = 'eni-d'; instanceId = 'i-d'; privateIp = '10.0.0.14'; groups = @('sg-0b04') }
            @{ networkInterfaceId = 'eni-e'; instanceId = 'i-e'; privateIp = '10.0.0.15'; groups = @('sg-0b01', 'sg-0b02') }
        )
        routeTables = @(@{ routeTableId = 'rtb-1'; main = $true; routes = @{ '0.0.0.0/0' = 'igw-1' } })
    } } }
    Set-TestWorld $script:Ec2 $script:World

    # Flow logs as AWS writes them: a header line, then records; gzipped.
    $t = [DateTimeOffset]::Parse('2026-11-20T12:00:00Z').ToUnixTimeSeconds()
    function script:Rec([string] $eni, [string] $src, [string] $dst, [int] $port, [int] $proto = 6, [string] $action = 'ACCEPT', [long] $start = $t) {
        "2 123456789012 $eni $src $dst 40000 $port $proto 10 840 $start $($start + 60) $action OK"
    }
    $header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'
    $day1 = @($header
        (Rec eni-a 203.0.113.5 10.0.0.11 22); (Rec eni-a 203.0.113.9 10.0.0.11 22); (Rec eni-a 198.51.100.7 10.0.0.11 22)
        (Rec eni-e 203.0.113.5 10.0.0.15 22)                                             # a second interface of sg-0b01
        (Rec eni-d 203.0.113.50 10.0.0.14 3390); (Rec eni-d 203.0.113.51 10.0.0.14 3389 -action REJECT)   # nothing that counts for 3389
        (Rec eni-d 10.0.0.14 203.0.113.52 3389))                                        # egress
    $day1 += foreach ($i in 1..40) { Rec eni-b "192.0.2.$i" 10.0.0.12 5432 }
    $day2 = @($header) + @(foreach ($i in 1..30) { Rec eni-b "198.51.100.$(129 + $i)" 10.0.0.12 5432 }) +
        @(foreach ($i in 1..60) { Rec eni-c "$($i * 4).$i.1.1" 10.0.0.13 443 })         # the internet uses the web port
    $custom = @('interface-id flow-direction srcaddr dstaddr dstport protocol action start', "eni-a ingress 203.0.113.9 10.0.0.11 22 6 ACCEPT $t", "eni-a egress 203.0.113.99 10.0.0.11 22 6 ACCEPT $t")
    $old = @($header, (Rec eni-a 192.0.2.250 10.0.0.11 22 -start ([DateTimeOffset]::Parse('2026-10-01Z').ToUnixTimeSeconds())))

    function script:Write-Gz([string] $Path, [string[]] $Lines) {
        New-Item -ItemType Directory (Split-Path $Path) -Force | Out-Null
        $file = [IO.File]::Create($Path)
        $gz = [IO.Compression.GZipStream]::new($file, [IO.Compression.CompressionLevel]::Optimal)
        $bytes = [Text.Encoding]::ASCII.GetBytes(($Lines -join "`n") + "`n")
        $gz.Write($bytes, 0, $bytes.Length)
        $gz.Dispose(); $file.Dispose()
    }
    $script:Local = Join-Path $TestDrive 'flow-logs'
    Write-Gz (Join-Path $script:Local 'a/day1.log.gz') $day1
    Write-Gz (Join-Path $script:Local 'b/day2.log.gz') $day2
    Set-Content (Join-Path $script:Local 'custom.log') ($custom -join "`n")
    $script:Window = @{ Since = [DateTime]'2026-11-15Z'; Until = [DateTime]'2026-11-25Z' }

    # The same logs in S3, where the flow log delivers them, plus a day outside the window.
    $script:S3 = Start-TestS3
    $client = [System.Net.Http.HttpClient]::new()
    $put = {
        param([string] $Key, [string] $File)
        $r = $client.PutAsync("$($script:S3.Url)/audit/$Key", [System.Net.Http.ByteArrayContent]::new([IO.File]::ReadAllBytes($File))).GetAwaiter().GetResult()
        if (-not $r.IsSuccessStatusCode) { throw "PUT $Key failed: $($r.StatusCode)" }
    }
    $base = 'vpc/AWSLogs/123456789012/vpcflowlogs/us-east-1'
    & $put "$base/2026/11/20/123456789012_vpcflowlogs_us-east-1_fl-1_20261120T1200Z_a.log.gz" (Join-Path $script:Local 'a/day1.log.gz')
    & $put "$base/2026/11/21/05/123456789012_vpcflowlogs_us-east-1_fl-1_20261121T0500Z_b.log.gz" (Join-Path $script:Local 'b/day2.log.gz')
    $oldFile = Join-Path $TestDrive 'old.log.gz'
    Write-Gz $oldFile $old
    & $put "$base/2026/10/01/123456789012_vpcflowlogs_us-east-1_fl-1_20261001T0000Z_c.log.gz" $oldFile
    # A flow log with Hive-compatible prefixes, hourly, under another prefix.
    $hive = 'hive/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1'
    & $put "$hive/year=2026/month=11/day=20/hour=12/123456789012_vpcflowlogs_us-east-1_fl-2_20261120T1200Z_a.log.gz" (Join-Path $script:Local 'a/day1.log.gz')
    & $put "$hive/year=2026/month=11/day=21/hour=05/123456789012_vpcflowlogs_us-east-1_fl-2_20261121T0500Z_b.log.gz" (Join-Path $script:Local 'b/day2.log.gz')
    & $put "$hive/year=2026/month=10/day=01/hour=00/123456789012_vpcflowlogs_us-east-1_fl-2_20261001T0000Z_c.log.gz" $oldFile
}
AfterAll { Stop-TestS3 $script:S3; Stop-TestEc2 $script:Ec2 }

Describe 'Measure-OpenIngressRule' {
    It 'finds who really used each rule in local flow logs and proposes the narrowing that keeps them' {
        $m = @(Get-OpenIngressRule @script:Conn | Measure-OpenIngressRule @script:Conn -FlowLogPath $script:Local @script:Window -MaxCidr 2)
        $by = @{}; foreach ($r in $m) { $by["$($r.GroupId) $($r.Cidr)"] = $r }
        $ssh = $by['sg-0b01 0.0.0.0/0']
        "$($ssh.Recommendation)" | Should -Be 'Narrow'
        ($ssh.ObservedSources.Address | Sort-Object) | Should -Be @('198.51.100.7', '203.0.113.5', '203.0.113.9')
        $ssh.FlowRecordCount | Should -Be 5        # four in day 1 (two interfaces) and one ingress record in the custom format
        $ssh.ReplaceWith | Should -Be @('198.51.100.7/32', '203.0.113.0/28')   # two blocks at most: the least space for three clients
        $db = $by['sg-0b02 0.0.0.0/0']
        "$($db.Recommendation)" | Should -Be 'Narrow'
        $db.ReplaceWith | Should -Be @('192.0.2.0/26', '198.51.100.128/27')
        "$($by['sg-0b03 0.0.0.0/0'].Recommendation)" | Should -Be 'Keep'
        $by['sg-0b03 0.0.0.0/0'].RecommendationReason | Should -BeLike '*serves the internet*'
        "$($by['sg-0b03 ::/0'].Recommendation)" | Should -Be 'Revoke'
        "$($by['sg-0b04 0.0.0.0/0'].Recommendation)" | Should -Be 'Revoke'
        $by['sg-0b04 0.0.0.0/0'].FlowRecordCount | Should -Be 0
        "$($by['sg-0b05 0.0.0.0/0'].Recommendation)" | Should -Be 'Revoke'
        "$($by['sg-0b05 0.0.0.0/0'].Exposure)" | Should -Be 'Unattached'
    }

    It 'works from saved network exports with no EC2 call, to the same proposals' {
        $live = @(Get-OpenIngressRule @script:Conn | Measure-OpenIngressRule @script:Conn -FlowLogPath $script:Local @script:Window -MaxCidr 2)
        $interfaces = Join-Path $TestDrive 'interfaces.json'; $tables = Join-Path $TestDrive 'route-tables.json'
        Export-TestNetwork $script:Ec2 us-east-1 $interfaces $tables | Out-Null
        $rules = @(Get-OpenIngressRule @script:Conn)
        Reset-TestCalls $script:Ec2
        $offline = @($rules | Measure-OpenIngressRule -FlowLogPath $script:Local @script:Window -MaxCidr 2 -NetworkInterfacePath $interfaces -RouteTablePath $tables)
        @(Get-TestCalls $script:Ec2).Count | Should -Be 0
        $shape = { "$($_.GroupId) $($_.Cidr) $($_.Recommendation) $($_.ReplaceWith -join ',') $($_.FlowRecordCount) $($_.Exposure)" }
        ($offline | ForEach-Object $shape | Sort-Object) | Should -Be ($live | ForEach-Object $shape | Sort-Object)
        { $rules | Measure-OpenIngressRule -FlowLogPath $script:Local -NetworkInterfacePath $interfaces } |
            Should -Throw -ErrorId 'ExposureNeedsNetwork,SgNarrower.Commands.MeasureOpenIngressRuleCommand'
    }

    It 'reads the same evidence from S3, listing only the days of the window (hourly partitions too)' {
        $m = @(Get-OpenIngressRule @script:Conn | Measure-OpenIngressRule @script:Conn -FlowLogUri 's3://audit/vpc' -S3EndpointUrl $script:S3.Url @script:Window -MaxCidr 2 `
            -AccessKey $script:S3.AccessKey -SecretKey $script:S3.SecretKey -Verbose 4>$null)
        $ssh = $m | Where-Object { $_.GroupId -eq 'sg-0b01' }
        ($ssh.ObservedSources.Address | Sort-Object) | Should -Be @('198.51.100.7', '203.0.113.5', '203.0.113.9')   # not 192.0.2.250, from October
        ($m | Where-Object GroupId -eq 'sg-0b02').ReplaceWith | Should -Be @('192.0.2.0/26', '198.51.100.128/27')
    }

    It 'reads a flow log delivered with Hive-compatible prefixes' {
        $m = @(Get-OpenIngressRule @script:Conn | Measure-OpenIngressRule @script:Conn -FlowLogUri 's3://audit/hive' -HiveCompatiblePartitions -S3EndpointUrl $script:S3.Url @script:Window -MaxCidr 2 `
            -AccessKey $script:S3.AccessKey -SecretKey $script:S3.SecretKey)
        $ssh = $m | Where-Object { $_.GroupId -eq 'sg-0b01' }
        ($ssh.ObservedSources.Address | Sort-Object) | Should -Be @('198.51.100.7', '203.0.113.5', '203.0.113.9')
        ($m | Where-Object GroupId -eq 'sg-0b02').ReplaceWith | Should -Be @('192.0.2.0/26', '198.51.100.128/27')
        # Without the switch, the default layout holds nothing there.
        $none = @(Get-OpenIngressRule @script:Conn | Measure-OpenIngressRule @script:Conn -FlowLogUri 's3://audit/hive' -S3EndpointUrl $script:S3.Url @script:Window `
            -AccessKey $script:S3.AccessKey -SecretKey $script:S3.SecretKey)
        ($none | Measure-Object FlowRecordCount -Sum).Sum | Should -Be 0
    }

    It 'pipes into Export and Revoke: each rule narrowed to its own sources, kept, or closed; the record holds the evidence; Restore undoes it' {
        Set-TestWorld $script:Ec2 $script:World
        $before = @((Get-TestWorld $script:Ec2).Regions.'us-east-1'.Groups | ForEach-Object { $g = $_; $_.Rules | ForEach-Object { "$($g.GroupId)|$($_.FromPort)|$($_.CidrIpv4)$($_.CidrIpv6)|$($_.Description)" } } | Sort-Object)
        $record = Join-Path $TestDrive 'evidence.jsonl'
        $results = @(Get-OpenIngressRule @script:Conn | Measure-OpenIngressRule @script:Conn -FlowLogPath $script:Local @script:Window |
            Export-IngressAudit -Path $record | Revoke-OpenIngressRule @script:Conn -Force)
        $status = @{}; foreach ($r in $results) { $status["$($r.GroupId) $($r.Cidr)"] = "$($r.Status)" }
        $status['sg-0b01 0.0.0.0/0'] | Should -Be 'Narrowed'
        $status['sg-0b02 0.0.0.0/0'] | Should -Be 'Narrowed'
        $status['sg-0b03 0.0.0.0/0'] | Should -Be 'Skipped'
        ($results | Where-Object { $_.GroupId -eq 'sg-0b03' -and $_.CidrIpv4 }).Error | Should -BeLike 'Kept, as the evidence recommends*'
        $status['sg-0b03 ::/0'] | Should -Be 'Revoked'
        $status['sg-0b04 0.0.0.0/0'] | Should -Be 'Revoked'
        $status['sg-0b05 0.0.0.0/0'] | Should -Be 'Revoked'
        $ssh = @((Get-TestWorld $script:Ec2).Regions.'us-east-1'.Groups | Where-Object GroupId -eq sg-0b01).Rules
        ($ssh.CidrIpv4 | Sort-Object) | Should -Be @('198.51.100.7/32', '203.0.113.5/32', '203.0.113.9/32')
        # The results say why: the evidence each change rests on comes with it, into a report of the results.
        $narrowed = $results | Where-Object { $_.GroupId -eq 'sg-0b01' }
        ("$($narrowed.Recommendation)", $narrowed.ObservedSourceCount) | Should -Be @('Narrow', 3)
        $md = Join-Path $TestDrive 'results.md'
        $results | Export-IngressReport -Path $md | Out-Null
        Get-Content $md | Should -Contain "| Narrow | $(@($results | Where-Object { "$($_.Recommendation)" -eq 'Narrow' }).Count) |"
        Get-Content $md | Should -Contain '| Narrow | 2 |'

        $line = Get-Content $record | ConvertFrom-Json | Where-Object GroupId -eq sg-0b01
        $line.Recommendation | Should -Be 'Narrow'
        $line.ReplaceWith | Should -Be @('198.51.100.7/32', '203.0.113.5/32', '203.0.113.9/32')
        $line.ObservedSourceCount | Should -Be 3
        ([DateTime]$line.EvidenceSince).ToUniversalTime() | Should -Be ([DateTime]::new(2026, 11, 15, 0, 0, 0, [DateTimeKind]::Utc))

        Restore-IngressRule -TrustUnsignedRecord -Path $record @script:Conn -Force | Out-Null
        @((Get-TestWorld $script:Ec2).Regions.'us-east-1'.Groups | ForEach-Object { $g = $_; $_.Rules | ForEach-Object { "$($g.GroupId)|$($_.FromPort)|$($_.CidrIpv4)$($_.CidrIpv6)|$($_.Description)" } } | Sort-Object) | Should -Be $before
    }

    It 'a truncated .gz is an error naming the file; the other files still count' {
        Set-TestWorld $script:Ec2 $script:World
        $dir = Join-Path $TestDrive 'with-broken'
        Copy-Item $script:Local $dir -Recurse
        $bytes = [IO.File]::ReadAllBytes((Join-Path $dir 'b/day2.log.gz'))
        [IO.File]::WriteAllBytes((Join-Path $dir 'b/day2.log.gz'), $bytes[0..($bytes.Length / 2)])
        $m = @(Get-OpenIngressRule @script:Conn | Measure-OpenIngressRule @script:Conn -FlowLogPath $dir @script:Window -ErrorVariable errs -ErrorAction SilentlyContinue)
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'FlowLogUnreadable,*'
        $errs[0].Exception.Message | Should -BeLike '*day2.log.gz*'
        $m.Count | Should -Be 6
        @(($m | Where-Object GroupId -eq sg-0b01).ObservedSources).Count | Should -Be 3
    }
}
