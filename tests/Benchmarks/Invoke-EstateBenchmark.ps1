<#
.SYNOPSIS
    Measures revoke and narrowing across A accounts x R regions with G affected groups each, under token buckets
    shaped like EC2's (mutating calls: 50 burst, 5 a second per account and region) on the local endpoint.
.DESCRIPTION
    Reports, for revoke and for single-source narrowing: wall time against the busiest scope changed alone (one account
    and region of as many groups, the same latency: scopes run at once, so the estate should take no longer) and
    against the lower bound the buckets allow for it ((G - 50) / 5 s), throttled requests,
    the calls made, the most in flight at once in one scope, and mutating calls per affected group; once for each
    -LatencyMs the endpoint takes to answer. Talks only to 127.0.0.1.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Accounts = 3,
    [int] $Regions = 2,
    [int] $Groups = 150,
    # How long the endpoint takes to answer each call (EC2 takes on the order of 100-500 ms); one run per value.
    [int[]] $LatencyMs = @(0, 100, 300)
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1') -Force
Import-Module $ModulePath -Force
Set-TestAwsEnvironment
$server = Start-TestEc2
try {
    $regionNames = @('us-east-1', 'eu-west-1', 'ap-south-1', 'us-west-2', 'eu-central-1')[0..($Regions - 1)]
    $accountIds = 1..$Accounts | ForEach-Object { '{0:d12}' -f (111111111111 * $_) }
    function New-World {
        $accounts = @{}
        foreach ($a in $accountIds) {
            $r = @{}
            foreach ($region in $regionNames) {
                $r[$region] = @{ groups = @(foreach ($i in 1..$Groups) {
                    New-TestGroup ('sg-{0:x6}{1:d6}' -f ([array]::IndexOf($regionNames, $region)), $i) -Rules @(
                        (New-TestRule tcp 22 22 '0.0.0.0/0' "ssh $i"), (New-TestRule tcp 443 443 '10.0.0.0/8' 'lan'))
                }) }
            }
            $accounts[$a] = @{ roles = @('Audit', 'Remediate'); regions = $r }
        }
        @{ accounts = $accounts; enabledRegions = $regionNames; throttling = @{}; latencyMs = $script:latency }
    }
    $conn = @{ EndpointUrl = $server.Url; RoleName = 'Remediate'; ThrottleLimit = [math]::Max(8, $Accounts * $Regions) }
    $bound = [math]::Max(0, ($Groups - 50) / 5)
    $affected = $Accounts * $Regions * $Groups

    $extraFor = @{ revoke = @{}; narrow = @{ ReplaceWith = '203.0.113.0/24' } }
    $expectedFor = @{ revoke = 'Revoked'; narrow = 'Narrowed' }
    # One run of a mode over the scopes given: the world set afresh (full buckets), the rules found, then the change timed.
    function Measure-Change([string] $Mode, [string[]] $Accounts, [string[]] $Regions) {
        Set-TestWorld $server (New-World)
        $open = @(Get-OpenIngressRule -AccountId $Accounts -RoleName Audit -Region $Regions -EndpointUrl $server.Url -ThrottleLimit 8)
        Reset-TestCalls $server
        $extra = $extraFor[$Mode]
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $results = @($open | Revoke-OpenIngressRule @conn @extra -SkipAudit -Force)
        $sw.Stop()
        [pscustomobject]@{ Seconds = $sw.Elapsed.TotalSeconds; Open = $open; Results = $results; Calls = @(Get-TestCalls $server) }
    }

    $rows = foreach ($script:latency in $LatencyMs) { foreach ($mode in 'revoke', 'narrow') {
        # The busiest scope alone (every scope holds as many groups), then the whole estate at once.
        $alone = Measure-Change $mode $accountIds[0] $regionNames[0]
        $run = Measure-Change $mode $accountIds $regionNames
        $calls = $run.Calls
        $mutating = @($calls | Where-Object { $_.Action -in 'RevokeSecurityGroupIngress', 'AuthorizeSecurityGroupIngress', 'ModifySecurityGroupRules' -and -not $_.Throttled }).Count
        $served = @($calls | Where-Object { -not $_.Throttled })
        [pscustomobject]@{
            Workload          = "$mode $Accounts accounts x $Regions regions x $Groups groups, answers after $($script:latency) ms"
            Rules             = "$(@($run.Results | Where-Object Status -eq $expectedFor[$mode]).Count) of $($run.Open.Count) $($expectedFor[$mode])"
            WallSeconds       = [math]::Round($run.Seconds, 1)
            BusiestScopeAloneSeconds = [math]::Round($alone.Seconds, 1)
            RatioToBusiestScope = [math]::Round($run.Seconds / $alone.Seconds, 3)
            BoundSeconds      = $bound
            RatioToBound      = if ($bound -gt 0) { [math]::Round($run.Seconds / $bound, 3) } else { $null }
            Throttled         = @($calls | Where-Object Throttled).Count
            MutatingPerGroup  = [math]::Round($mutating / $affected, 2)
            CreateTagsPerGroup = [math]::Round(@($calls | Where-Object { $_.Action -eq 'CreateTags' -and -not $_.Throttled }).Count / $affected, 2)
            Calls             = $served.Count
            MostInFlight      = ($calls | Measure-Object -Property InFlight -Maximum).Maximum
        }
    } }
    $rows | Format-List | Out-String | Write-Host
    $rows
} finally {
    Stop-TestEc2 $server
}
