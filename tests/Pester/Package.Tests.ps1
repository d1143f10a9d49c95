# The module as admins get it: a gallery package installed from a folder repository, and the Azure Automation zip.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Built = Split-Path (Get-BuiltModulePath)
    $script:Packages = Join-Path $TestDrive 'packages'
    $script:Made = & (Join-Path (Get-RepoRoot) 'tools/New-ModulePackage.ps1') -ModulePath $script:Built -OutputPath $script:Packages
    $script:Manifest = Import-PowerShellDataFile (Get-BuiltModulePath)
    $script:Sample = Join-Path (Get-RepoRoot) 'samples/security-groups.json'
    # A scan in a fresh pwsh that finds the module only where it was put.
    function script:Invoke-ScanFrom([string] $ModuleRoot, [string] $Import) {
        @(Invoke-ChildPwsh @"
`$env:PSModulePath = '$ModuleRoot'
Import-Module $Import -ErrorAction Stop
(Get-Module SgNarrower).ModuleBase
@(Get-OpenIngressRule -Path '$script:Sample' -Region us-east-1).Count
"@ | ForEach-Object { "$_" })
    }
}

Describe 'SgNarrower.<version>.nupkg' {
    It 'carries the manifest''s metadata and the tags galleries index by, with the module files at the package root' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($script:Made.Nupkg)
        try {
            $names = $zip.Entries.FullName
            $names | Should -Contain 'SgNarrower.psd1'
            $names | Should -Contain 'SgNarrower.dll'
            $names | Should -Contain 'Dependencies/AWSSDK.SecurityToken.dll'
            $names | Should -Contain 'en-US/SgNarrower.dll-Help.xml'
            $reader = [IO.StreamReader]::new(($zip.Entries | Where-Object FullName -eq 'SgNarrower.nuspec').Open())
            [xml]$nuspec = $reader.ReadToEnd()
            $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $m = $nuspec.package.metadata
        $m.version | Should -Be $script:Manifest.ModuleVersion
        $m.description | Should -Be $script:Manifest.Description
        $m.projectUrl | Should -Be $script:Manifest.PrivateData.PSData.ProjectUri
        $m.releaseNotes | Should -BeLike "$($script:Manifest.ModuleVersion)*"
        $tags = $m.tags -split ' '
        $tags | Should -Contain 'PSModule'
        $tags | Should -Contain 'PSIncludes_Cmdlet'
        @($tags | Where-Object { $_ -like 'PSCmdlet_*' } | ForEach-Object { $_.Substring(9) } | Sort-Object) | Should -Be @($script:Manifest.CmdletsToExport | Sort-Object)
    }

    It 'installs from a local folder repository into a fresh module path and scans from there' {
        $repo = "SgnTest$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        Register-PSResourceRepository -Name $repo -Uri $script:Packages -Trusted
        try {
            $modules = Join-Path $TestDrive 'fresh-modules'
            New-Item -ItemType Directory $modules | Out-Null
            Save-PSResource -Name SgNarrower -Repository $repo -Path $modules -TrustRepository -SkipDependencyCheck
        }
        finally { Unregister-PSResourceRepository -Name $repo }
        $out = Invoke-ScanFrom $modules 'SgNarrower'
        $out[-2] | Should -BeLike "$modules*"
        $out[-1] | Should -Be '13'
    }
}

Describe 'SgNarrower.zip for Azure Automation' {
    It 'has the module folder SgNarrower/ at its root, and imports from where it is unzipped' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($script:Made.Zip)
        try { $zip.Entries.FullName | ForEach-Object { $_ | Should -BeLike 'SgNarrower/*' } }
        finally { $zip.Dispose() }
        (Get-Item $script:Made.Zip).Length | Should -BeLessThan 100MB
        $dir = Join-Path $TestDrive 'unzipped'
        Expand-Archive $script:Made.Zip -DestinationPath $dir
        $out = Invoke-ScanFrom $dir 'SgNarrower'
        $out[-1] | Should -Be '13'
    }
}
