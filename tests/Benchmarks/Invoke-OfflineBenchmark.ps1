<#
.SYNOPSIS
    Offline scans of large exports: rules per second, peak memory (flat in the file's size?), and the ratio to jq
    counting the open rules of the same file, where jq is installed: in a warm session, and as a whole process
    (pwsh started, the module imported, one scan) against jq's whole process.
.DESCRIPTION
    Generates describe-security-groups exports of G groups with 10 rules each (one in ten open to the world), at two
    sizes, and scans each in a fresh pwsh. No network at all.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Groups = 40000
)
$ErrorActionPreference = 'Stop'
$dir = Join-Path ([IO.Path]::GetTempPath()) ("sgn-offline-" + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory $dir | Out-Null

function New-Export([string] $Path, [int] $Count) {
    $w = [IO.StreamWriter]::new($Path, $false, [Text.UTF8Encoding]::new($false), 1MB)
    try {
        $w.Write("{`n    `"SecurityGroups`": [")
        for ($i = 0; $i -lt $Count; $i++) {
            if ($i) { $w.Write(',') }
            $perms = for ($r = 0; $r -lt 10; $r++) {
                $open = ($i + $r) % 10 -eq 0
                $cidr = if ($open) { '0.0.0.0/0' } else { "10.$($r).$($i % 250).0/24" }
                $port = 1000 + $r
                "`n                {`n                    `"FromPort`": $port,`n                    `"IpProtocol`": `"tcp`",`n                    `"IpRanges`": [`n                        {`n                            `"CidrIp`": `"$cidr`",`n                            `"Description`": `"rule $r of group $i, allowed by the platform team for service $port`"`n                        }`n                    ],`n                    `"Ipv6Ranges`": [],`n                    `"PrefixListIds`": [],`n                    `"ToPort`": $port,`n                    `"UserIdGroupPairs`": []`n                }"
            }
            $w.Write("`n        {`n            `"Description`": `"group $i of the benchmark estate`",`n            `"GroupName`": `"bench-$i`",`n            `"IpPermissions`": [$($perms -join ',')`n            ],`n            `"OwnerId`": `"123456789012`",`n            `"GroupId`": `"sg-$('{0:x17}' -f $i)`",`n            `"IpPermissionsEgress`": [],`n            `"Tags`": [ { `"Key`": `"team`", `"Value`": `"platform`" }, { `"Key`": `"env`", `"Value`": `"prod`" } ],`n            `"VpcId`": `"vpc-0123456789abcdef0`"`n        }")
        }
        $w.Write("`n    ]`n}`n")
    }
    finally { $w.Dispose() }
}

function Measure-Scan([string] $Path) {
    # In one fresh pwsh: the first scan (what a one-off run pays, compiling included), then the median of three more
    # (a warm session).
    $script = @"
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$ModulePath'
`$times = foreach (`$i in 1..4) {
    [GC]::Collect()
    `$sw = [Diagnostics.Stopwatch]::StartNew()
    `$n = (Get-OpenIngressRule -Path '$Path' -Region us-east-1 | Measure-Object).Count
    `$sw.Stop()
    `$sw.Elapsed.TotalSeconds
}
"`$n `$(`$times -join ',') `$([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64)"
"@
    $line = (& dotnet tool run pwsh -- -NoProfile -NonInteractive -Command $script | Select-Object -Last 1) -split ' '
    $times = [double[]]($line[1] -split ',')
    $warm = ($times[1..3] | Sort-Object)[1]
    # The whole process, as a runbook or a scheduled task runs it: start pwsh, import, scan once.
    $whole = Measure-Median { & dotnet tool run pwsh -- -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; (Get-OpenIngressRule -Path '$Path' -Region us-east-1 | Measure-Object).Count" | Out-Null }
    [pscustomobject]@{ Open = [int]$line[0]; First = $times[0]; Warm = $warm; Whole = $whole; PeakMB = [long]$line[2] / 1MB }
}

function Measure-Median([scriptblock] $Run) {
    $times = foreach ($i in 1..3) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        & $Run
        $sw.Elapsed.TotalSeconds
    }
    ($times | Sort-Object)[1]
}

try {
    $rows = foreach ($count in [int]($Groups / 4), $Groups) {
        $file = Join-Path $dir "groups-$count.json"
        New-Export $file $count
        $mb = (Get-Item $file).Length / 1MB
        $scan = Measure-Scan $file
        $jq = $null
        if (Get-Command jq -ErrorAction SilentlyContinue) {
            $filter = '[.SecurityGroups[].IpPermissions[] | ((.IpRanges // [])[] | select(.CidrIp == "0.0.0.0/0")), ((.Ipv6Ranges // [])[] | select(.CidrIpv6 == "::/0"))] | length'
            $jqCount = & jq $filter $file
            if ([int]$jqCount -ne $scan.Open) { throw "jq counted $jqCount open rules, SgNarrower $($scan.Open)." }
            $jq = Measure-Median { & jq $filter $file | Out-Null }
        }
        Remove-Item $file
        [pscustomobject]@{
            Export             = "{0:N0} groups, {1:N0} rules, {2:N0} MB" -f $count, (10 * $count), $mb
            OpenRules          = $scan.Open
            WarmSeconds        = [math]::Round($scan.Warm, 2)
            FirstScanSeconds   = [math]::Round($scan.First, 2)
            WholeProcessSeconds = [math]::Round($scan.Whole, 2)
            RulesPerSecond     = [math]::Round(10 * $count / $scan.Warm)
            PeakMB             = [math]::Round($scan.PeakMB)
            JqSeconds          = if ($jq) { [math]::Round($jq, 2) } else { 'jq not installed (apt-get install jq)' }
            JqOverWarm         = if ($jq) { [math]::Round($jq / $scan.Warm, 1) } else { $null }
            JqOverWholeProcess = if ($jq) { [math]::Round($jq / $scan.Whole, 2) } else { $null }
        }
    }
    $rows | Format-List | Out-String | Write-Host
    $rows
}
finally { Remove-Item $dir -Recurse -Force -ErrorAction Ignore }
