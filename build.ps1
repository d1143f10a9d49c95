<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks SgNarrower.
.DESCRIPTION
    Build      builds the module layout into out/SgNarrower, which Import-Module takes as it is.
    Test       builds, runs the xunit tests, then the Pester tests against the built module in a child pwsh,
               and prints one closing line 'N passed, N failed'. Exits non-zero on any failure.
    Demo       builds, then runs the whole job against the project's own EC2 endpoint on 127.0.0.1 with a small estate:
               find, record, narrow and close, report, put back; it prints each step and where the record and report are.
    Benchmark  builds and measures API calls and time for scans, exports and revokes against the local endpoints; the
               remediation and estate runs once for each -LatencyMs the test endpoint takes to answer (0, 100, 300).
    Package    builds out/packages/SgNarrower.<version>.nupkg (for a PowerShell gallery or a local folder repository)
               and out/packages/SgNarrower.zip (for Azure Automation: the module folder at its root).
.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Benchmark -LatencyMs 300
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Benchmark', 'Package')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Pester tests to run (a file or folder under tests/Pester); all of them by default.
    [string] $PesterPath = (Join-Path $PSScriptRoot 'tests/Pester'),
    # Benchmark: how long the test endpoint takes to answer each EC2 call, one set of remediation and estate runs per
    # value (EC2 takes on the order of 100-500 ms).
    [ValidateRange(0, 5000)]
    [int[]] $LatencyMs = @(0, 100, 300)
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'SgNarrower'

function Invoke-Native {
    param([string] $What, [scriptblock] $Command)
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

function Get-NuGetPackageRoot {
    $line = & dotnet nuget locals global-packages --list
    if ($LASTEXITCODE -ne 0) { throw 'Could not find the NuGet package folder.' }
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Invoke-Build {
    Write-Host "Building SgNarrower ($Configuration)" -ForegroundColor Cyan
    $staging = Join-Path $out 'staging'
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    if (Test-Path $staging) { Remove-Item $staging -Recurse -Force }
    Invoke-Native 'Publishing the cmdlet assembly' { dotnet publish (Join-Path $root 'src/SgNarrower/SgNarrower.csproj') -c $Configuration -o (Join-Path $staging 'module') --nologo -v quiet }
    Invoke-Native 'Publishing the AWS layer' { dotnet publish (Join-Path $root 'src/SgNarrower.Aws/SgNarrower.Aws.csproj') -c $Configuration -o (Join-Path $staging 'aws') --nologo -v quiet }

    New-Item -ItemType Directory -Path (Join-Path $moduleOut 'Dependencies') -Force | Out-Null
    foreach ($file in 'SgNarrower.dll', 'SgNarrower.Core.dll') {
        Copy-Item (Join-Path $staging "module/$file") $moduleOut
    }
    Copy-Item (Join-Path $root 'SgNarrower.psd1') $moduleOut
    Copy-Item (Join-Path $root 'src/SgNarrower/SgNarrower.Format.ps1xml') $moduleOut
    # The Athena query whose result Measure-OpenIngressRule -AggregatePath/-AggregateUri reads.
    Copy-Item (Join-Path $root 'sql') (Join-Path $moduleOut 'sql') -Recurse
    # The AWS layer and everything it needs, apart from the shared core, which lives beside the module.
    Get-ChildItem (Join-Path $staging 'aws') -Filter *.dll |
        Where-Object Name -ne 'SgNarrower.Core.dll' |
        Copy-Item -Destination (Join-Path $moduleOut 'Dependencies')
    & (Join-Path $root 'tools/New-ModuleHelp.ps1') -ModulePath $moduleOut -HelpSource (Join-Path $root 'src/SgNarrower/help')
    Write-Host "Built $moduleOut" -ForegroundColor Green
}

function Start-Restore {
    # Test-only packages (Pester, an older AWSSDK.Core) and the S3-compatible server.
    Invoke-Native 'Restoring test tools' { dotnet restore (Join-Path $root 'tests/tools/TestTools.csproj') --nologo -v quiet }
    $s3 = Join-Path $root 'tests/s3'
    if (-not (Test-Path (Join-Path $s3 'node_modules/s3rver'))) {
        Push-Location $s3
        try { Invoke-Native 'Installing s3rver (npm ci)' { npm ci --no-audit --no-fund --loglevel=error } }
        finally { Pop-Location }
    }
    # playwright-core drives the system Chromium in the report tests; it downloads no browser.
    $browser = Join-Path $root 'tests/browser'
    if (-not (Test-Path (Join-Path $browser 'node_modules/playwright-core'))) {
        Push-Location $browser
        try { Invoke-Native 'Installing playwright-core (npm ci)' { npm ci --no-audit --no-fund --loglevel=error } }
        finally { Pop-Location }
    }
}

function Assert-SystemTools {
    # Debian's Chromium (the report tests open reports in it) and the AWS CLI (the SSM document imports findings with
    # it). Never skipped: without them the test task installs them with apt-get where it can, or stops and says how.
    $missing = @()
    if (-not (Test-Path ($env:CHROMIUM_PATH ?? '/usr/bin/chromium'))) { $missing += 'chromium' }
    if (-not (Get-Command aws -CommandType Application -ErrorAction Ignore)) { $missing += 'awscli' }
    if ($missing.Count -eq 0) { return }
    $install = "apt-get install -y $($missing -join ' ')"
    $isRoot = (Get-Command id -ErrorAction Ignore) -and ((& id -u) -eq '0')
    if ((Get-Command apt-get -ErrorAction Ignore) -and $isRoot) {
        Write-Host "Installing $($missing -join ' ') with apt-get" -ForegroundColor Yellow
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get update -q 2>&1 | Out-Null
        & apt-get install -y -q @missing 2>&1 | ForEach-Object { Write-Host $_ }
    }
    if (-not (Test-Path ($env:CHROMIUM_PATH ?? '/usr/bin/chromium')) -or -not (Get-Command aws -CommandType Application -ErrorAction Ignore)) {
        throw "The tests need Chromium and the AWS CLI. Install them (Debian: $install; elsewhere set CHROMIUM_PATH to a Chromium binary), then run the tests again."
    }
}

function Assert-Moto {
    # moto, the independent AWS emulator the tests also run against (tests/moto/server.py). Never skipped: without
    # it the test task stops and says what to install.
    $install = 'python3 -m pip install "moto[server]" boto3'
    if (-not (Get-Command python3 -ErrorAction Ignore)) { throw "The tests need Python 3 with moto. Install python3, then run: $install" }
    $check = { & python3 -c 'import moto, boto3, flask, werkzeug' 2>$null; $LASTEXITCODE -eq 0 }
    if (& $check) { return }
    Write-Host 'moto is not installed; installing it with pip' -ForegroundColor Yellow
    & python3 -m pip install --quiet 'moto[server]' boto3 2>&1 | ForEach-Object { Write-Host $_ }
    if (-not (& $check)) { throw "The tests need moto, and pip could not install it. Run: $install" }
}

function Invoke-Tests {
    Invoke-Build
    Start-Restore
    Assert-Moto
    Assert-SystemTools
    $results = Join-Path $out 'TestResults'
    New-Item -ItemType Directory -Path $results -Force | Out-Null
    # Nothing in the tests may reach a real AWS endpoint or instance metadata.
    $env:AWS_EC2_METADATA_DISABLED = 'true'

    Write-Host 'xunit: core and AWS adapter' -ForegroundColor Cyan
    $trx = Join-Path $results 'xunit.trx'
    if (Test-Path $trx) { Remove-Item $trx }
    & dotnet test (Join-Path $root 'tests/SgNarrower.Tests/SgNarrower.Tests.csproj') -c $Configuration --nologo `
        --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal'
    $xunitExit = $LASTEXITCODE
    $xPassed = 0; $xFailed = 0
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary.Counters
        $xPassed = [int]$counters.passed
        $xFailed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    }
    if ($xunitExit -ne 0 -and $xFailed -eq 0) { $xFailed = 1 }   # a build or host failure counts as a failure

    Write-Host 'Pester: the built module in a child pwsh' -ForegroundColor Cyan
    $pester = Join-Path (Get-NuGetPackageRoot) 'pester/5.7.1/tools/Pester.psd1'
    $summary = Join-Path $results 'pester-summary.json'
    if (Test-Path $summary) { Remove-Item $summary }
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$pester'
`$c = New-PesterConfiguration
`$c.Run.Path = '$PesterPath'
`$c.Run.PassThru = `$true
`$c.Output.Verbosity = 'Detailed'
`$c.TestResult.Enabled = `$true
`$c.TestResult.OutputPath = '$(Join-Path $results 'pester.xml')'
`$r = Invoke-Pester -Configuration `$c
# No result (Pester failed after running, writing its report, say) counts as a failure, never as nothing run.
if (`$null -eq `$r -or `$r.TotalCount -eq 0) { throw 'Pester returned no result.' }
@{ Passed = `$r.PassedCount; Failed = `$r.FailedCount + `$r.FailedBlocksCount + `$r.FailedContainersCount } | ConvertTo-Json | Set-Content '$summary'
"@
    Push-Location $root
    try { & dotnet tool run pwsh -- -NoProfile -NonInteractive -Command $script }
    finally { Pop-Location }
    $pPassed = 0; $pFailed = 1
    if (Test-Path $summary) {
        $s = Get-Content $summary -Raw | ConvertFrom-Json
        $pPassed = [int]$s.Passed; $pFailed = [int]$s.Failed
    }

    $passed = $xPassed + $pPassed
    $failed = $xFailed + $pFailed
    Write-Host "xunit: $xPassed passed, $xFailed failed; Pester: $pPassed passed, $pFailed failed"
    Write-Output "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Package {
    Invoke-Build
    $packages = Join-Path $out 'packages'
    if (Test-Path $packages) { Remove-Item $packages -Recurse -Force }
    $made = & (Join-Path $root 'tools/New-ModulePackage.ps1') -ModulePath $moduleOut -OutputPath $packages
    foreach ($f in $made.Nupkg, $made.Zip) { Write-Host ("Packed {0} ({1:N1} MB)" -f $f, ((Get-Item $f).Length / 1MB)) -ForegroundColor Green }
}

function Invoke-Demo {
    Invoke-Build
    # The project's own EC2 endpoint serves the demo's estate on 127.0.0.1.
    Invoke-Native 'Building the EC2 endpoint the demo runs against' { dotnet build (Join-Path $root 'tests/TestEc2Server/TestEc2Server.csproj') -c Release --nologo -v quiet }
    Push-Location $root
    try {
        & dotnet tool run pwsh -- -NoProfile -NonInteractive -File (Join-Path $root 'tools/Invoke-Demo.ps1') -ModulePath $moduleOut -OutFolder (Join-Path $out 'demo')
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
    finally { Pop-Location }
}

function Invoke-Benchmark {
    Invoke-Build
    Start-Restore
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    Push-Location $root
    try {
        & dotnet tool run pwsh -- -NoProfile -NonInteractive -File (Join-Path $root 'tests/Benchmarks/Invoke-Benchmarks.ps1') -ModulePath $moduleOut
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        Write-Host 'Offline: large exports, streamed (jq as the peer where it is installed)' -ForegroundColor Cyan
        & dotnet tool run pwsh -- -NoProfile -NonInteractive -File (Join-Path $root 'tests/Benchmarks/Invoke-OfflineBenchmark.ps1') -ModulePath $moduleOut
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        Write-Host 'Flow logs: evidence against gzip -dc of the same files; the exact CIDR cover of 100,000 sources' -ForegroundColor Cyan
        & dotnet tool run pwsh -- -NoProfile -NonInteractive -File (Join-Path $root 'tests/Benchmarks/Invoke-FlowLogBenchmark.ps1') -ModulePath $moduleOut
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        Write-Host 'Remediation: Get | Revoke, narrowing in place and Restore in one account and region under EC2-shaped request buckets' -ForegroundColor Cyan
        # -Command, so that the list of latencies arrives as a list.
        & dotnet tool run pwsh -- -NoProfile -NonInteractive -Command "& '$(Join-Path $root 'tests/Benchmarks/Invoke-RemediationBenchmark.ps1')' -ModulePath '$moduleOut' -LatencyMs $($LatencyMs -join ',')"
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        Write-Host 'Reports: 10,000 and 100,000 rules, written and opened in headless Chromium' -ForegroundColor Cyan
        Assert-SystemTools
        & dotnet tool run pwsh -- -NoProfile -NonInteractive -File (Join-Path $root 'tests/Benchmarks/Invoke-ReportBenchmark.ps1') -ModulePath (Join-Path $moduleOut 'SgNarrower.psd1')
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        Write-Host 'Estates: accounts x regions under EC2-shaped request buckets' -ForegroundColor Cyan
        # -Command, so that the list of latencies arrives as a list.
        & dotnet tool run pwsh -- -NoProfile -NonInteractive -Command "& '$(Join-Path $root 'tests/Benchmarks/Invoke-EstateBenchmark.ps1')' -ModulePath '$moduleOut' -LatencyMs $($LatencyMs -join ',')"
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
    finally { Pop-Location }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Tests }
    'Demo' { Invoke-Demo }
    'Benchmark' { Invoke-Benchmark }
    'Package' { Invoke-Package }
}
