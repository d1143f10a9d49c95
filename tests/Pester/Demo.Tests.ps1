# build.ps1 -Task Demo runs tools/Invoke-Demo.ps1: the whole job against the project's own endpoint. It must keep working.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

Describe 'The demo' {
    It 'finds, records, narrows and closes, reports, and puts everything back, saying where the record and report are' {
        $folder = Join-Path $TestDrive 'demo'
        $script = Join-Path (Get-RepoRoot) 'tools/Invoke-Demo.ps1'
        $out = @(Invoke-ChildPwsh "& '$script' -ModulePath '$(Get-BuiltModulePath)' -OutFolder '$folder' *>&1 | ForEach-Object { `"`$_`" }") -join "`n"
        $out | Should -Match 'Open to the world now: 0 rule\(s\)'
        $out | Should -Match 'The estate has exactly the rules it began with'
        $out | Should -Match ([regex]::Escape("Report: $folder"))
        Test-Path (Join-Path $folder 'demo-record.jsonl') | Should -BeTrue
        (Get-Content (Join-Path $folder 'demo-report.html') -Raw) | Should -Match 'SgNarrower demo'
    }
}
