<#
.SYNOPSIS
    Measures a whole remediation pipeline in one account and region under token buckets shaped like EC2's (Describe
    100 burst and 20 a second, mutating 50 and 5, CreateTags 100 and 10) on the local endpoint.
.DESCRIPTION
    The world: -Groups groups, of which -Affected have open rules (-OpenRules in all, one or two per group), each with
    a private rule too. For 'Get-OpenIngressRule | Revoke-OpenIngressRule -Force', the same with narrowing in place
    (recorded first), and Restore-IngressRule from that record, it reports wall time against the lower bound the
    mutating bucket allows ((affected groups - 50) / 5 s), the seconds from the first describe to the first change,
    DescribeSecurityGroupRules calls, throttled requests, mutating calls per group, the calls made and the most in flight
    at once; once for each -LatencyMs the endpoint takes to answer. Talks only to 127.0.0.1.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Groups = 1500,
    [int] $Affected = 1000,
    [int] $OpenRules = 1500,
    # How long the endpoint takes to answer each call (EC2 takes on the order of 100-500 ms); one set of runs per value.
    [int[]] $LatencyMs = @(0, 100, 300)
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1') -Force
Import-Module $ModulePath -Force
Set-TestAwsEnvironment
$server = Start-TestEc2
$folder = Join-Path ([IO.Path]::GetTempPath()) ('sgn-remediation-' + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory $folder | Out-Null
try {
    $twice = $OpenRules - $Affected
    function New-World {
        $list = foreach ($i in 1..$Groups) {
            $rules = @(New-TestRule tcp 443 443 '10.0.0.0/8' 'lan')
            if ($i -le $Affected) { $rules += New-TestRule tcp 22 22 '0.0.0.0/0' "ssh $i" }
            if ($i -le $twice) { $rules += New-TestRule tcp 3389 3389 '0.0.0.0/0' "rdp $i" }
            New-TestGroup ('sg-{0:x12}' -f $i) -Rules $rules
        }
        @{ regions = @{ 'us-east-1' = @{ groups = @($list) } }; throttling = @{}; latencyMs = $script:latency }
    }
    $conn = @{ Region = 'us-east-1'; EndpointUrl = $server.Url }
    $bound = [math]::Max(0, ($Affected - 50) / 5)
    $mutatingActions = 'RevokeSecurityGroupIngress', 'AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules'
    function Measure-Run([string] $Workload, [scriptblock] $Run, [string] $Expected) {
        # The account's buckets are shared: the run before this one emptied the mutating bucket, and the bound assumes
        # a full one. Wait until EC2 would have refilled it (50 tokens at 5 a second).
        Start-Sleep -Seconds 11
        Reset-TestCalls $server
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $results = @(& $Run)
        $sw.Stop()
        $calls = @(Get-TestCalls $server)
        $served = @($calls | Where-Object { -not $_.throttled })
        $firstDescribe = ($served | Where-Object action -like 'Describe*' | Select-Object -First 1).at
        $firstChange = ($served | Where-Object { $_.action -in $mutatingActions } | Select-Object -First 1).at
        [pscustomobject]@{
            Workload              = "$Workload, answers after $($script:latency) ms"
            Rules                 = "$(@($results | Where-Object Status -eq $Expected).Count) of $($results.Count) $Expected"
            WallSeconds           = [math]::Round($sw.Elapsed.TotalSeconds, 1)
            BoundSeconds          = $bound
            RatioToBound          = if ($bound -gt 0) { [math]::Round($sw.Elapsed.TotalSeconds / $bound, 3) } else { $null }
            FirstChangeAfterSeconds = if ($firstDescribe -and $firstChange) { [math]::Round(([DateTime]$firstChange - [DateTime]$firstDescribe).TotalSeconds, 1) } else { $null }
            DescribeRuleCalls     = @($served | Where-Object action -eq 'DescribeSecurityGroupRules').Count
            Throttled             = @($calls | Where-Object throttled).Count
            MutatingPerGroup      = [math]::Round(@($served | Where-Object { $_.action -in $mutatingActions }).Count / $Affected, 2)
            Calls                 = $served.Count
            MostInFlight          = ($calls | Measure-Object -Property inFlight -Maximum).Maximum
        }
    }

    $record = Join-Path $folder 'narrowed.jsonl'
    $rows = foreach ($script:latency in $LatencyMs) {
        (Set-TestWorld $server (New-World)) | Out-Null
        Measure-Run "Get | Revoke, $Affected of $Groups groups, $OpenRules open rules" { Get-OpenIngressRule @conn | Revoke-OpenIngressRule @conn -SkipAudit -Force } 'Revoked'
        (Set-TestWorld $server (New-World)) | Out-Null
        Measure-Run 'Get | Export | Revoke -ReplaceWith (narrowing in place)' { Get-OpenIngressRule @conn | Export-IngressAudit -Path $record | Revoke-OpenIngressRule @conn -ReplaceWith 203.0.113.0/24 -Force } 'Narrowed'
        Measure-Run 'Restore-IngressRule from that record' { Restore-IngressRule -Path $record @conn -Force -TrustUnsignedRecord } 'Restored'
        Remove-Item $record
    }
    $rows | Format-List | Out-String | Write-Host
    $rows
} finally {
    Stop-TestEc2 $server
    if ($folder.StartsWith([IO.Path]::GetTempPath())) { Remove-Item $folder -Recurse -Force -ErrorAction Ignore }
}
