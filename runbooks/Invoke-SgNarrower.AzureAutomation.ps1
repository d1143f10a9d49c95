<#
.SYNOPSIS
    Azure Automation runbook (PowerShell 7.2 or later): records the EC2 ingress rules open to the world in S3, then
    narrows or revokes them with SgNarrower. WhatIf is on by default.
.DESCRIPTION
    Import SgNarrower.zip (build.ps1 -Task Package) as a module of the Automation account, for the runtime the runbook
    uses. Credentials come from encrypted Automation variables SgNarrowerAccessKey and SgNarrowerSecretKey (an IAM
    user with policies/sgnarrower-scan-and-record.json, sgnarrower-remediate.json and, for -AccountId,
    sgnarrower-assume-member-roles.json, and sgnarrower-sign-records.json with SigningKeyId). With AccountId and
    RoleName the role is assumed in each account. With SigningKeyId the record is signed with that KMS key, so that
    Restore-IngressRule -SigningKeyId can prove SgNarrower wrote it.
    The sandbox has 400 MB of memory: the module streams, and the runbook keeps only the results' counts.
#>
param(
    [Parameter(Mandatory)] [string] $Region,
    [Parameter(Mandatory)] [string] $BucketName,
    [string[]] $AccountId,
    [string] $RoleName,
    [string] $ReplaceWith,
    [string] $GroupId,
    [string] $SigningKeyId,
    [bool] $WhatIf = $true
)
$ErrorActionPreference = 'Stop'
Import-Module SgNarrower

$credentials = @{
    AccessKey = Get-AutomationVariable -Name 'SgNarrowerAccessKey'
    SecretKey = Get-AutomationVariable -Name 'SgNarrowerSecretKey'
}
$scan = @{ Region = $Region } + $credentials
if ($GroupId) { $scan.GroupId = $GroupId }
if ($AccountId) { $scan.AccountId = $AccountId; $scan.RoleName = $RoleName }
$change = @{ Force = $true; WhatIf = $WhatIf } + $credentials
if ($RoleName) { $change.RoleName = $RoleName }
if ($ReplaceWith) { $change.ReplaceWith = @($ReplaceWith -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ }) }

$audit = @{ BucketName = $BucketName; Region = $Region } + $credentials
if ($SigningKeyId) { $audit.SigningKeyId = $SigningKeyId }

$counts = @{}
$record = $null
Get-OpenIngressRule @scan |
    Export-IngressAudit @audit |
    Revoke-OpenIngressRule @change |
    ForEach-Object {
        $counts["$($_.Status)"] = 1 + [int]$counts["$($_.Status)"]
        if (-not $record) { $record = $_.AuditUri }
    }
$total = ($counts.Values | Measure-Object -Sum).Sum
$summary = ($counts.GetEnumerator() | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Value)" }) -join ', '
"SgNarrower $Region`: $([int]$total) open rule(s)$(if ($summary) { "; $summary" })$(if ($WhatIf) { ' (WhatIf: nothing changed)' }); record: $record"
