<#
.SYNOPSIS
    Measures SgNarrower against the local EC2 endpoint: API calls (exact) and time (noisy, shown as ratios).
.DESCRIPTION
    Three workloads, each compared with what the original per-CIDR design would have needed:
      scan    - G groups, a share of them with open rules: describe calls, objects, time per 1000 groups
      revoke  - R open rules spread over G groups: revoke calls (one per group vs one per rule)
      narrow  - the same rules narrowed to one CIDR: authorize + revoke calls
    Talks only to 127.0.0.1.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Groups = 5000,
    [int] $OpenEvery = 25
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1') -Force
Import-Module $ModulePath -Force
Set-TestAwsEnvironment
$server = Start-TestEc2
try {
    $list = foreach ($i in 0..($Groups - 1)) {
        $rules = @((New-TestRule tcp 22 22 '10.0.0.0/8'), (New-TestRule tcp 443 443 '10.0.0.0/8'))
        if ($i % $OpenEvery -eq 0) {
            $rules += New-TestRule tcp 22 22 '0.0.0.0/0'
            $rules += New-TestRule tcp 22 22 '::/0'
            $rules += New-TestRule '-1' -1 -1 '0.0.0.0/0'
        }
        New-TestGroup ('sg-{0:d17}' -f $i) "group-$i" -Rules $rules
    }
    Set-TestWorld $server @{ regions = @{ 'us-east-1' = @{ groups = @($list) } } }
    $conn = @{ Region = 'us-east-1'; EndpointUrl = $server.Url }

    # Warm up (JIT, connection), then measure.
    Get-OpenIngressRule @conn -GroupId sg-00000000000000000 | Out-Null
    Reset-TestCalls $server
    $before = [GC]::GetTotalMemory($true)
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $open = @(Get-OpenIngressRule @conn)
    $sw.Stop()
    $scanMs = $sw.Elapsed.TotalMilliseconds
    $retained = [GC]::GetTotalMemory($true) - $before
    $dsg = (Get-TestCalls $server DescribeSecurityGroups).Count
    $dsgr = (Get-TestCalls $server DescribeSecurityGroupRules).Count
    $openGroups = @($open.GroupId | Sort-Object -Unique).Count

    Reset-TestCalls $server
    $sw.Restart()
    $revoked = @($open | Revoke-OpenIngressRule @conn -SkipAudit -Force)
    $sw.Stop()
    $revokeMs = $sw.Elapsed.TotalMilliseconds
    $revokeCalls = (Get-TestCalls $server RevokeSecurityGroupIngress).Count
    $planCalls = (Get-TestCalls $server DescribeSecurityGroupRules).Count

    Set-TestWorld $server @{ regions = @{ 'us-east-1' = @{ groups = @($list) } } }
    $open = @(Get-OpenIngressRule @conn)
    Reset-TestCalls $server
    $narrowed = @($open | Revoke-OpenIngressRule @conn -ReplaceWith 203.0.113.0/24, 2001:db8::/48 -SkipAudit -Force)
    if (@($narrowed | Where-Object Status -ne 'Narrowed').Count) { throw 'Not every rule was narrowed.' }
    $narrowCalls = @(Get-TestCalls $server | Where-Object { $_.Action -in 'AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress' }).Count
    $narrowPlan = (Get-TestCalls $server DescribeSecurityGroupRules).Count

    [pscustomobject]@{
        Workload = 'scan'; Items = "$Groups groups, $($open.Count) open rules"
        SgNarrowerCalls = $dsg + $dsgr; PerCidrDesignCalls = [math]::Ceiling($Groups / 1000)
        Note = "$dsg DescribeSecurityGroups + $dsgr DescribeSecurityGroupRules (rule ids); $([math]::Round($scanMs / ($Groups / 1000), 1)) ms per 1000 groups; $([math]::Round($retained / 1KB)) KiB retained for $($open.Count) rules"
    }
    [pscustomobject]@{
        Workload = 'revoke'; Items = "$($revoked.Count) rules in $openGroups groups"
        SgNarrowerCalls = $revokeCalls; PerCidrDesignCalls = $revoked.Count
        Note = "$([math]::Round($revoked.Count / $revokeCalls, 2))x fewer calls against the 5/s revoke bucket; planned with $planCalls DescribeSecurityGroupRules (200 groups a call, from the 20/s bucket); $([math]::Round($revokeMs / $revoked.Count, 2)) ms per rule"
    }
    [pscustomobject]@{
        Workload = 'narrow'; Items = "$($narrowed.Count) rules in $openGroups groups"
        SgNarrowerCalls = $narrowCalls; PerCidrDesignCalls = 2 * $narrowed.Count
        Note = "one authorize and one revoke per group; planned with $narrowPlan DescribeSecurityGroupRules"
    }
} finally {
    Stop-TestEc2 $server
}
