# Flow logs past one machine: Measure-OpenIngressRule from the result of the shipped Athena query
# (sql/flow-log-aggregate.sql) gives the same evidence as from the raw logs of the same window.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $script:Conn = @{ Region = 'us-east-1'; EndpointUrl = $script:Ec2.Url }
    Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{
        groups = @(
            New-TestGroup sg-0c01 -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule tcp 22 22 '::/0' 'ssh6'))
            New-TestGroup sg-0c02 -Rules @(New-TestRule tcp 5432 5432 '0.0.0.0/0' 'db')
            New-TestGroup sg-0c03 -Rules @(New-TestRule '-1' -1 -1 '0.0.0.0/0' 'all')
            New-TestGroup sg-0c04 -Rules @(New-TestRule udp 53 53 '0.0.0.0/0' 'dns')
            New-TestGroup sg-0c05 -Rules @(New-TestRule tcp 8080 8080 '0.0.0.0/0' 'unused')
            New-TestGroup sg-0c06 -Rules @(New-TestRule tcp 443 443 '0.0.0.0/0' 'web')
        )
        networkInterfaces = @(
            @{ networkInterfaceId = 'eni-1'; privateIp = '10.0.0.11'; ipv6Addresses = @('2001:db8:1::11'); groups = @('sg-0c01', 'sg-0c03') }
            @{ networkInterfaceId = 'eni-2'; privateIp = '10.0.0.12'; groups = @('sg-0c02') }
            @{ networkInterfaceId = 'eni-3'; privateIp = '10.0.0.13'; groups = @('sg-0c04', 'sg-0c05', 'sg-0c06') }
        )
        routeTables = @(@{ routeTableId = 'rtb-1'; main = $true; routes = @{ '0.0.0.0/0' = 'igw-1'; '::/0' = 'igw-1' } })
    } } }

    # A month of generated records in AWS's layout, with what must not count mixed in: rejected, SKIPDATA, outbound,
    # other ports, other interfaces, before and after the window.
    $random = [Random]::new(16)
    $script:Logs = Join-Path $TestDrive 'logs'
    $since = [DateTimeOffset]'2026-11-05Z'; $until = [DateTimeOffset]'2026-11-25Z'
    $script:Window = @{ Since = $since.UtcDateTime; Until = $until.UtcDateTime }
    $header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'
    $targets = @(
        @{ eni = 'eni-1'; dst = '10.0.0.11'; port = 22; proto = 6; src = { "203.0.113.$($random.Next(1, 30))" } }
        @{ eni = 'eni-1'; dst = '2001:db8:1::11'; port = 22; proto = 6; src = { "2001:db8:ffff::$('{0:x}' -f $random.Next(1, 200))" } }
        @{ eni = 'eni-1'; dst = '10.0.0.11'; port = 9000; proto = 17; src = { "198.51.100.$($random.Next(1, 255))" } }
        @{ eni = 'eni-2'; dst = '10.0.0.12'; port = 5432; proto = 6; src = { "192.0.2.$($random.Next(1, 255))" } }
        @{ eni = 'eni-2'; dst = '10.0.0.12'; port = 5432; proto = 6; src = { "198.51.$($random.Next(0, 3)).$($random.Next(1, 255))" } }
        @{ eni = 'eni-3'; dst = '10.0.0.13'; port = 53; proto = 17; src = { "100.64.$($random.Next(0, 2)).$($random.Next(1, 255))" } }
        @{ eni = 'eni-3'; dst = '10.0.0.13'; port = 443; proto = 6; src = { "$($random.Next(1, 223)).$($random.Next(0, 255)).$($random.Next(0, 255)).$($random.Next(1, 255))" } }
        @{ eni = 'eni-9'; dst = '10.9.0.1'; port = 22; proto = 6; src = { '203.0.113.77' } }
    )
    foreach ($day in 1..28) {
        $lines = [System.Collections.Generic.List[string]]::new()
        $lines.Add($header)
        $base = [DateTimeOffset]::new(2026, 11, $day, 0, 0, 0, [TimeSpan]::Zero).ToUnixTimeSeconds()
        foreach ($n in 1..120) {
            $t = $targets[$random.Next($targets.Count)]
            $start = $base + $random.Next(0, 86400)
            $action = if ($random.Next(10) -eq 0) { 'REJECT' } else { 'ACCEPT' }
            $status = if ($random.Next(25) -eq 0) { 'SKIPDATA' } else { 'OK' }
            $src = & $t.src
            if ($random.Next(12) -eq 0) { $lines.Add("2 123456789012 $($t.eni) $($t.dst) $src $($t.port) 40000 $($t.proto) 3 180 $start $($start + 30) ACCEPT OK") }   # outbound
            $lines.Add("2 123456789012 $($t.eni) $src $($t.dst) 40000 $($t.port) $($t.proto) $($random.Next(1, 50)) 900 $start $($start + 60) $action $status")
        }
        # A record exactly at each end of the window counts; one a second outside does not.
        if ($day -eq 5) { $lines.Add("2 123456789012 eni-1 203.0.113.200 10.0.0.11 40000 22 6 1 60 $($since.ToUnixTimeSeconds()) $($since.ToUnixTimeSeconds() + 1) ACCEPT OK") }
        if ($day -eq 4) { $lines.Add("2 123456789012 eni-1 203.0.113.201 10.0.0.11 40000 22 6 1 60 $($since.ToUnixTimeSeconds() - 1) $($since.ToUnixTimeSeconds()) ACCEPT OK") }
        if ($day -eq 25) { $lines.Add("2 123456789012 eni-1 203.0.113.202 10.0.0.11 40000 22 6 1 60 $($until.ToUnixTimeSeconds()) $($until.ToUnixTimeSeconds() + 1) ACCEPT OK") }
        $folder = Join-Path $script:Logs ('AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/{0:d2}' -f $day)
        New-Item -ItemType Directory $folder -Force | Out-Null
        Set-Content -Path (Join-Path $folder ('123456789012_vpcflowlogs_us-east-1_fl-1_202611{0:d2}T0000Z_x.log' -f $day)) -Value ($lines -join "`n")
    }
    $script:Aggregate = Join-Path $TestDrive 'athena-result.csv'
    ConvertTo-FlowLogAggregate -Path $script:Logs -Since $since -Until $until -OutFile $script:Aggregate
    $script:Open = @(Get-OpenIngressRule @script:Conn)
}
AfterAll { Stop-TestEc2 $script:Ec2 }

Describe 'Measure-OpenIngressRule from an Athena aggregate' {
    It 'gives every rule the same recommendation, cover, sources and counts as the raw logs of the same window' {
        $raw = @($script:Open | Measure-OpenIngressRule @script:Conn -FlowLogPath $script:Logs @script:Window)
        $aggregated = @($script:Open | Measure-OpenIngressRule @script:Conn -AggregatePath $script:Aggregate @script:Window)

        $raw.Count | Should -Be 7
        $aggregated.Count | Should -Be $raw.Count
        ($raw.Recommendation | ForEach-Object { "$_" } | Sort-Object -Unique) | Should -Be @('Keep', 'Narrow', 'Revoke')
        for ($i = 0; $i -lt $raw.Count; $i++) {
            $r = $raw[$i]; $a = $aggregated[$i]
            "$($a.GroupId) $($a.Rule)" | Should -Be "$($r.GroupId) $($r.Rule)"
            "$($a.Recommendation)" | Should -Be "$($r.Recommendation)" -Because "$($r.GroupId) $($r.Rule)"
            @($a.ReplaceWith) | Should -Be @($r.ReplaceWith)
            $a.ObservedSourceCount | Should -Be $r.ObservedSourceCount
            $a.FlowRecordCount | Should -Be $r.FlowRecordCount
            @($a.ObservedSources | ForEach-Object { "$($_.Address) $($_.Flows) $($_.Packets)" }) | Should -Be @($r.ObservedSources | ForEach-Object { "$($_.Address) $($_.Flows) $($_.Packets)" })
            $a.RecommendationReason | Should -Be $r.RecommendationReason
        }
        # The window's ends: the record at -Since counts, the one a second before does not, the one at -Until does.
        $ssh = $raw | Where-Object { $_.GroupId -eq 'sg-0c01' -and $_.CidrIpv4 }
        $ssh.ObservedSources.Address | Should -Contain '203.0.113.200'
        $ssh.ObservedSources.Address | Should -Not -Contain '203.0.113.201'
        $ssh.ObservedSources.Address | Should -Contain '203.0.113.202'
    }

    It 'reads the aggregate from S3 where Athena wrote it' {
        $s3 = Start-TestS3
        try {
            $client = [System.Net.Http.HttpClient]::new()
            $r = $client.PutAsync("$($s3.Url)/audit/athena/sgnarrower/0d2f5c1e.csv", [System.Net.Http.ByteArrayContent]::new([IO.File]::ReadAllBytes($script:Aggregate))).GetAwaiter().GetResult()
            $r.IsSuccessStatusCode | Should -BeTrue
            $fromFile = @($script:Open | Measure-OpenIngressRule @script:Conn -AggregatePath $script:Aggregate @script:Window)
            foreach ($uri in 's3://audit/athena/sgnarrower/0d2f5c1e.csv', 's3://audit/athena/sgnarrower/') {
                $fromS3 = @($script:Open | Measure-OpenIngressRule @script:Conn -AggregateUri $uri -S3EndpointUrl $s3.Url -AccessKey $s3.AccessKey -SecretKey $s3.SecretKey @script:Window)
                ($fromS3 | ForEach-Object { "$($_.GroupId) $($_.Rule) $($_.Recommendation) $($_.ReplaceWith -join ',') $($_.ObservedSourceCount)" }) |
                    Should -Be ($fromFile | ForEach-Object { "$($_.GroupId) $($_.Rule) $($_.Recommendation) $($_.ReplaceWith -join ',') $($_.ObservedSourceCount)" })
            }
        }
        finally { Stop-TestS3 $s3 }
    }

    It 'refuses raw logs and an aggregate together, and a file that is not the query''s result' {
        { $script:Open | Measure-OpenIngressRule @script:Conn -AggregatePath $script:Aggregate -FlowLogPath $script:Logs } | Should -Throw -ErrorId 'ParameterConflict*'
        $bad = Join-Path $TestDrive 'bad.csv'
        '"account_id","interface_id","flows"', '"123456789012","eni-1","3"' | Set-Content $bad
        $null = $script:Open | Measure-OpenIngressRule @script:Conn -AggregatePath $bad @script:Window -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'InvalidAggregate*'
        $e[0].Exception.Message | Should -Match 'no column region'
    }
}
