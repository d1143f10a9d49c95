<#
.SYNOPSIS
    Packs a built module folder into SgNarrower.<version>.nupkg (PowerShell gallery form, by PSResourceGet's own
    packer) and SgNarrower.zip (Azure Automation: the module folder at the root of the zip).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath
)
$ErrorActionPreference = 'Stop'
New-Item -ItemType Directory -Path $OutputPath -Force | Out-Null
# A folder repository registered for this call only.
$repo = "SgNarrowerPack$([guid]::NewGuid().ToString('N').Substring(0, 8))"
Register-PSResourceRepository -Name $repo -Uri (Resolve-Path $OutputPath).Path -Trusted
try { Publish-PSResource -Path $ModulePath -Repository $repo -SkipDependenciesCheck }
finally { Unregister-PSResourceRepository -Name $repo }
$zip = Join-Path $OutputPath 'SgNarrower.zip'
if (Test-Path $zip) { Remove-Item $zip }
Compress-Archive -Path $ModulePath -DestinationPath $zip
$nupkg = Get-ChildItem $OutputPath -Filter 'SgNarrower.*.nupkg' | Sort-Object LastWriteTime | Select-Object -Last 1
foreach ($f in $nupkg.FullName, $zip) {
    $mb = (Get-Item $f).Length / 1MB
    # Azure Automation takes modules of up to 100 MB.
    if ($mb -ge 100) { throw "$f is $([math]::Round($mb, 1)) MB; Azure Automation takes at most 100 MB." }
}
[pscustomobject]@{ Nupkg = $nupkg.FullName; Zip = (Resolve-Path $zip).Path }
