<#
.SYNOPSIS
    Reports of many rules: how long Export-IngressReport takes from a record, how large the page is, and how long
    headless Chromium takes until the page is ready, and to filter and sort it.
.DESCRIPTION
    Generates records of 10,000 and 100,000 rules (varied statuses and exposure), writes a report of each, and opens
    it with tests/browser/check-report.mjs in the system Chromium. Local files only.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1') -Force
Import-Module $ModulePath -Force
$dir = Join-Path ([IO.Path]::GetTempPath()) ("sgn-report-bench-" + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory $dir | Out-Null
try {
    $rows = foreach ($count in 10000, 100000) {
        $record = Join-Path $dir "record-$count.jsonl"
        $statuses = 'Revoked', 'Narrowed', 'Skipped', 'Failed', $null
        $exposures = 'Public', 'Private', 'Unattached', $null
        $w = [IO.StreamWriter]::new($record)
        try {
            for ($i = 0; $i -lt $count; $i++) {
                $port = (22, 443, 3389, 8080, 5432)[$i % 5]
                $w.WriteLine((New-TestRecordLine 'run-bench' '2026-12-01T00:00:00.000Z' @{ OwnerId = '123456789012'; Region = ('us-east-1', 'eu-west-1')[$i % 2]
                    GroupId = ('sg-{0:x8}' -f [int]($i / 3)); SecurityGroupRuleId = ('sgr-{0:x8}' -f $i); IpProtocol = 'tcp'; FromPort = $port; ToPort = $port
                    CidrIpv4 = '0.0.0.0/0'; Description = "rule $i of the benchmark estate"; Status = $statuses[$i % 5]; Exposure = $exposures[$i % 4] }))
            }
        }
        finally { $w.Dispose() }
        $html = Join-Path $dir "report-$count.html"
        $sw = [Diagnostics.Stopwatch]::StartNew()
        Export-IngressReport -RecordPath $record -Path $html | Out-Null
        $write = $sw.Elapsed.TotalSeconds
        $page = Invoke-ReportCheck $html "bench-$count" -Needle 'rule 12345'
        [pscustomobject]@{
            Rules              = $count
            WriteSeconds       = [math]::Round($write, 2)
            PageMB             = [math]::Round((Get-Item $html).Length / 1MB, 1)
            BrowserReadySeconds = [math]::Round($page.readyMs / 1000, 2)
            RowsInDocument     = $page.domRows
            CountsMatchRows    = -not ($page.tallies | Where-Object { $_.count -ne $_.shown })
            ConsoleErrors      = @($page.consoleErrors).Count + @($page.pageErrors).Count
        }
    }
    $rows | Format-Table -AutoSize | Out-String | Write-Host
}
finally { Remove-Item $dir -Recurse -Force -ErrorAction Ignore }
