<#
.SYNOPSIS
    The whole job on this machine, against the project's own EC2 endpoint (nothing to install beyond the .NET SDK):
    find the open rules, record them, narrow and close them, write the report, and put everything back.
.PARAMETER ModulePath
    The built module (out/SgNarrower).
.PARAMETER OutFolder
    Where the record and the report go.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutFolder
)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
Import-Module (Join-Path $root 'tests/Pester/TestHelpers.psm1') -Force
Import-Module $ModulePath -Force
Set-TestAwsEnvironment
New-Item -ItemType Directory $OutFolder -Force | Out-Null
$record = Join-Path $OutFolder 'demo-record.jsonl'
$report = Join-Path $OutFolder 'demo-report.html'
Remove-Item $record, "$record.sig", $report -ErrorAction Ignore

function Step([string] $Text) { Write-Host ''; Write-Host $Text -ForegroundColor Cyan }
function Get-Rules($Server) {
    @((Get-TestWorld $Server).regions.'us-east-1'.groups | ForEach-Object { $g = $_
        $_.rules | Where-Object { -not $_.egress } | ForEach-Object { "$($g.groupName) $($_.ipProtocol) $($_.fromPort) $($_.cidrIpv4)$($_.cidrIpv6)$($_.referencedGroupId) '$($_.description)'" } }) | Sort-Object
}

Write-Host 'Starting the project''s own EC2 endpoint on 127.0.0.1, with a small estate (samples/demo-estate.json).' -ForegroundColor Green
$ec2 = Start-TestEc2
try {
    $world = Get-Content (Join-Path $root 'samples/demo-estate.json') -Raw | ConvertFrom-Json -AsHashtable
    Set-TestWorld $ec2 $world
    $conn = @{ Region = 'us-east-1'; EndpointUrl = $ec2.Url }
    $before = Get-Rules $ec2

    Step '1. Find: every ingress rule open to the world, and whether what carries its group is reachable from the internet'
    $open = @(Get-OpenIngressRule @conn -IncludeExposure)
    $open | Format-Table GroupName, Rule, Exposure, Description -AutoSize | Out-Host

    Step "2. Record: before anything changes, every open rule goes into a record ($record)"
    Write-Host '   (against AWS, add -BucketName to store it in S3 and -SigningKeyId to sign it with a KMS key)'
    $recorded = @($open | Export-IngressAudit -Path $record -PassThru)

    Step '3. Narrow and close: SSH only from the office (203.0.113.0/24, 2001:db8:1::/48), everything else closed'
    $ssh = @($recorded | Where-Object FromPort -eq 22 | Revoke-OpenIngressRule @conn -ReplaceWith 203.0.113.0/24, 2001:db8:1::/48 -Force)
    $rest = @($recorded | Where-Object FromPort -ne 22 | Revoke-OpenIngressRule @conn -Force)
    $results = $ssh + $rest
    $results | Out-Host
    Write-Host "   Open to the world now: $(@(Get-OpenIngressRule @conn).Count) rule(s)."

    Step "4. Report: one self-contained HTML page for the change board ($report)"
    $results | Export-IngressReport -RecordPath $record -Path $report -Title 'SgNarrower demo' | Out-Null
    Write-Host "   Open it in a browser: $report"

    Step '5. Put back: every rule exactly as recorded, descriptions included, and the replacements removed'
    Write-Host '   (this record is not signed, so the restore is told so in words: -TrustUnsignedRecord)'
    $back = @(Restore-IngressRule -Path $record @conn -TrustUnsignedRecord -Force)
    $back | Group-Object { "$($_.Status)" } | ForEach-Object { Write-Host "   $($_.Name): $($_.Count)" }
    $after = Get-Rules $ec2
    if (Compare-Object $before $after) { throw 'The restore did not give back the rule set the estate began with.' }
    Write-Host '   The estate has exactly the rules it began with.' -ForegroundColor Green

    Step 'Where things are'
    Write-Host "   Record: $record"
    Write-Host "   Report: $report"
}
finally {
    Stop-TestEc2 $ec2
}
