<#
.SYNOPSIS
    Flow-log evidence at scale: records per second per core, peak memory (flat in the log size?), and the ratio to
    'gzip -dc' of the same files to /dev/null (the physical floor: decompression). Also the exact CIDR cover of
    100,000 sources.
.DESCRIPTION
    Generates gzipped version-2 flow logs (default: 10 files of 1,000,000 records, 10 million in all) over 1,000
    network interfaces that carry 100 security groups with open rules, from a pool of 2,000 sources (so the distinct
    (rule, source) pairs are nearly all seen in half the logs: what grows after that is the log, not the evidence). The groups and
    interfaces are served by the tests' EC2 endpoint on 127.0.0.1. Measure-OpenIngressRule reads half the files, then
    all of them, each in a fresh pwsh, with one reader (per core) and with the default throttle (all cores).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Files = 10,
    [int] $RecordsPerFile = 1000000,
    [int] $CoverSources = 100000
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1') -Force
Import-Module $ModulePath -Force
Set-TestAwsEnvironment
$dir = Join-Path ([IO.Path]::GetTempPath()) ("sgn-flow-" + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory $dir | Out-Null

Add-Type -TypeDefinition @'
using System;
using System.IO;
using System.IO.Compression;
using System.Text;
public static class FlowLogBench
{
    // Version-2 records: 80% ACCEPT, ports 22/443/8080/3389/53, tcp mostly, at 1,000 interfaces, from 2,000 sources.
    public static void Write(string path, int records, int seed, long start)
    {
        var random = new Random(seed);
        var sources = new string[2000];
        var pool = new Random(42);
        for (int i = 0; i < sources.Length; i++) sources[i] = $"{pool.Next(1, 224)}.{pool.Next(256)}.{pool.Next(256)}.{pool.Next(1, 255)}";
        int[] ports = { 22, 443, 8080, 3389, 53 };
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.Fastest);
        using var w = new StreamWriter(gz, new UTF8Encoding(false), 1 << 20);
        w.Write("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n");
        var sb = new StringBuilder(160);
        for (int i = 0; i < records; i++)
        {
            int eni = random.Next(1000);
            long t = start + random.Next(86400);
            int port = ports[random.Next(ports.Length)];
            int proto = port == 53 ? 17 : 6;
            int packets = random.Next(1, 40);
            sb.Clear();
            sb.Append("2 123456789012 eni-").Append(eni.ToString("x17")).Append(' ')
              .Append(sources[random.Next(sources.Length)]).Append(" 10.0.").Append(eni / 250).Append('.').Append(eni % 250 + 1).Append(' ')
              .Append(random.Next(1024, 65535)).Append(' ').Append(port).Append(' ').Append(proto).Append(' ')
              .Append(packets).Append(' ').Append(packets * 120).Append(' ').Append(t).Append(' ').Append(t + 60).Append(' ')
              .Append(random.Next(5) == 0 ? "REJECT" : "ACCEPT").Append(" OK\n");
            w.Write(sb);
        }
    }
}
'@

$server = Start-TestEc2
try {
    # 100 groups, each open on one of the ports, each carried by 10 interfaces.
    $ports = 22, 443, 8080, 3389
    $groups = foreach ($g in 0..99) {
        $port = $ports[$g % $ports.Count]
        New-TestGroup ('sg-{0:x17}' -f $g) -Rules @(New-TestRule tcp $port $port '0.0.0.0/0' "open $port")
    }
    $interfaces = foreach ($e in 0..999) {
        @{ networkInterfaceId = ('eni-{0:x17}' -f $e); instanceId = ('i-{0:x17}' -f $e); privateIp = "10.0.$([math]::Floor($e / 250)).$($e % 250 + 1)"; groups = @(('sg-{0:x17}' -f ($e % 100))) }
    }
    Set-TestWorld $server @{ regions = @{ 'us-east-1' = @{ groups = @($groups); networkInterfaces = @($interfaces) } } }

    $day = [DateTimeOffset]::Parse('2026-11-20T00:00:00Z')
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $paths = foreach ($f in 1..$Files) {
        $p = Join-Path $dir ("123456789012_vpcflowlogs_us-east-1_fl-bench_20261120T0000Z_{0:d4}.log.gz" -f $f)
        [FlowLogBench]::Write($p, $RecordsPerFile, $f, $day.ToUnixTimeSeconds())
        $p
    }
    Write-Host ("Generated {0:N0} records in {1} files ({2:N0} MB gzipped) in {3:N1} s" -f ($Files * $RecordsPerFile), $Files,
        ((Get-ChildItem $dir | Measure-Object Length -Sum).Sum / 1MB), $sw.Elapsed.TotalSeconds)

    function Measure-Evidence([string[]] $Paths, [int] $Throttle) {
        $list = ($Paths | ForEach-Object { "'$_'" }) -join ','
        $script = @"
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$(Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1')'
Set-TestAwsEnvironment
Import-Module '$ModulePath'
`$rules = @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl '$($server.Url)')
[GC]::Collect()
`$before = [Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64
`$cpu = [Diagnostics.Process]::GetCurrentProcess().TotalProcessorTime
`$sw = [Diagnostics.Stopwatch]::StartNew()
`$m = @(`$rules | Measure-OpenIngressRule -Region us-east-1 -EndpointUrl '$($server.Url)' -FlowLogPath $list -Since '2026-11-19Z' -Until '2026-11-22Z' -ThrottleLimit $Throttle)
`$sw.Stop()
`$p = [Diagnostics.Process]::GetCurrentProcess()
`$counted = (`$m | Measure-Object FlowRecordCount -Sum).Sum
"`$(`$m.Count) `$counted `$(`$sw.Elapsed.TotalSeconds) `$((`$p.TotalProcessorTime - `$cpu).TotalSeconds) `$before `$(`$p.PeakWorkingSet64)"
"@
        $line = (& dotnet tool run pwsh -- -NoProfile -NonInteractive -Command $script | Select-Object -Last 1) -split ' '
        [pscustomobject]@{ Rules = [int]$line[0]; Counted = [long]$line[1]; Seconds = [double]$line[2]; CpuSeconds = [double]$line[3]; PeakBeforeMB = [long]$line[4] / 1MB; PeakMB = [long]$line[5] / 1MB }
    }

    function Measure-Gzip([string[]] $Paths) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        & gzip -dc @Paths > /dev/null
        if ($LASTEXITCODE -ne 0) { throw 'gzip -dc failed.' }
        $sw.Elapsed.TotalSeconds
    }

    $half = @($paths | Select-Object -First ([math]::Max(1, [int]($Files / 2))))
    $rows = foreach ($set in @(, $half) + @(, @($paths))) {
        $records = $set.Count * $RecordsPerFile
        $gzip = Measure-Gzip $set
        foreach ($throttle in 1, [Environment]::ProcessorCount) {
            $m = Measure-Evidence $set $throttle
            [pscustomobject]@{
                Logs                 = "{0:N0} records, {1} files, {2} reader(s)" -f $records, $set.Count, $throttle
                RulesWithEvidence    = "$($m.Rules) rules, $($m.Counted) records counted"
                Seconds              = [math]::Round($m.Seconds, 2)
                RecordsPerSecondCore = [math]::Round($records / $m.CpuSeconds)
                GzipSeconds          = [math]::Round($gzip, 2)
                RatioToGzip          = [math]::Round($m.Seconds / $gzip, 2)
                PeakGrowthMB         = [math]::Round($m.PeakMB - $m.PeakBeforeMB)
            }
        }
    }

    # The exact cover of many sources: one rule's worth of addresses, from six client networks (/12 to /20) and spread
    # over the whole space (no cover within /8: Keep).
    $random = [Random]::new(7)
    $networks = @(@(10, 16, 12), @(100, 64, 14), @(172, 16, 16), @(198, 18, 18), @(203, 0, 20), @(81, 2, 16))
    $clustered = [Collections.Generic.List[Net.IPAddress]]::new()
    $spread = [Collections.Generic.List[Net.IPAddress]]::new()
    for ($i = 0; $i -lt $CoverSources; $i++) {
        $n = $networks[$random.Next($networks.Count)]
        $base = ([uint32]$n[0] -shl 24) -bor ([uint32]$n[1] -shl 16)
        $value = $base + [uint32]$random.Next([int][math]::Pow(2, 32 - $n[2]))
        $clustered.Add([Net.IPAddress]::new([byte[]]@((($value -shr 24) -band 255), (($value -shr 16) -band 255), (($value -shr 8) -band 255), ($value -band 255))))
        $spread.Add([Net.IPAddress]::new([byte[]]@($random.Next(1, 224), $random.Next(256), $random.Next(256), $random.Next(256))))
    }
    [void][SgNarrower.Evidence.CidrCover]::Cover($clustered.GetRange(0, 1000), 8, 8)   # warm up
    foreach ($case in @(@('six client networks', $clustered), @('spread over the address space', $spread))) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $cover = [SgNarrower.Evidence.CidrCover]::Cover($case[1], 8, 8)
        $sw.Stop()
        $rows = @($rows) + [pscustomobject]@{
            Logs              = "CIDR cover of {0:N0} sources ({1}), at most 8 blocks, none broader than /8" -f $CoverSources, $case[0]
            RulesWithEvidence = if ($cover) { ($cover | ForEach-Object ToString) -join ', ' } else { 'no cover within /8 (Keep)' }
            Seconds           = [math]::Round($sw.Elapsed.TotalSeconds, 3)
        }
    }
    $rows | Format-List | Out-String | Write-Host
    $rows
}
finally {
    Stop-TestEc2 $server
    Remove-Item $dir -Recurse -Force -ErrorAction Ignore
}
