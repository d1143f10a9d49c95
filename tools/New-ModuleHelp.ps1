<#
.SYNOPSIS
    Writes the module's MAML help (en-US/SgNarrower.dll-Help.xml) from the help sources and the real cmdlets.
.DESCRIPTION
    Syntax, parameter types, positions and pipeline input come from the built cmdlets themselves; the words come
    from src/SgNarrower/help/<Cmdlet>.psd1 (and Common.psd1 for shared parameters). A parameter without a
    description, or a cmdlet without an example, fails the build: the help cannot drift from the code.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $HelpSource
)
$ErrorActionPreference = 'Stop'

if (-not $env:SGNARROWER_HELP_CHILD) {
    # Run in a child pwsh so that the build process does not hold the module loaded.
    $env:SGNARROWER_HELP_CHILD = '1'
    try {
        & dotnet tool run pwsh -- -NoProfile -NonInteractive -File $PSCommandPath -ModulePath $ModulePath -HelpSource $HelpSource
        if ($LASTEXITCODE -ne 0) { throw "Writing help failed (exit code $LASTEXITCODE)." }
    }
    finally { Remove-Item Env:SGNARROWER_HELP_CHILD }
    return
}

$module = Import-Module (Resolve-Path $ModulePath).Path -PassThru -Force
$common = Import-PowerShellDataFile (Join-Path $HelpSource 'Common.psd1')
# -WhatIf and -Confirm are shown in the syntax and described, like any parameter; the rest are <CommonParameters>.
$commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters + @([System.Management.Automation.PSCmdlet]::OptionalCommonParameters | Where-Object { $_ -notin 'WhatIf', 'Confirm' })
$problems = [System.Collections.Generic.List[string]]::new()

function Esc([string] $s) { [System.Security.SecurityElement]::Escape($s) }
function Paras([string] $text) {
    ($text -split "(`r?`n){2,}" | Where-Object { $_.Trim() } | ForEach-Object { "<maml:para>$(Esc ($_.Trim() -replace '\s*\r?\n\s*', ' '))</maml:para>" }) -join ''
}
function TypeName([type] $t) {
    if ($t.IsGenericType -and $t.GetGenericTypeDefinition() -eq [Nullable`1]) { return $t.GetGenericArguments()[0].Name }
    $t.Name
}

$sb = [System.Text.StringBuilder]::new()
[void]$sb.AppendLine('<?xml version="1.0" encoding="utf-8"?>')
[void]$sb.AppendLine('<helpItems schema="maml" xmlns="http://msh">')
foreach ($cmd in (Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)) {
    $file = Join-Path $HelpSource "$($cmd.Name).psd1"
    if (-not (Test-Path $file)) { $problems.Add("$($cmd.Name): no help source $file"); continue }
    $help = Import-PowerShellDataFile $file
    $paramText = @{} + $common.Parameters
    foreach ($k in $help.Parameters.Keys) { $paramText[$k] = $help.Parameters[$k] }
    if (-not $help.Examples -or $help.Examples.Count -eq 0) { $problems.Add("$($cmd.Name): no examples") }

    $params = $cmd.Parameters.Values | Where-Object { $commonParameters -notcontains $_.Name }
    # Default values: what a new cmdlet object holds before binding, and what the help source says where the code
    # applies a default later (such as encryption AES256).
    $fresh = [Activator]::CreateInstance($cmd.ImplementingType)
    $defaults = @{}
    foreach ($p in $params) {
        if ($p.SwitchParameter) { continue }
        $v = $cmd.ImplementingType.GetProperty($p.Name).GetValue($fresh)
        if ($null -ne $v) { $defaults[$p.Name] = "$v" }
    }
    if ($help.Defaults) { foreach ($k in $help.Defaults.Keys) { $defaults[$k] = $help.Defaults[$k] } }
    foreach ($p in $params) { if (-not $paramText[$p.Name]) { $problems.Add("$($cmd.Name) -$($p.Name): no description") } }
    foreach ($k in $help.Parameters.Keys) { if (-not $cmd.Parameters.ContainsKey($k)) { $problems.Add("$($cmd.Name): help describes -$k, which the cmdlet does not have") } }

    $verb, $noun = $cmd.Name -split '-', 2
    [void]$sb.AppendLine('<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">')
    [void]$sb.AppendLine("<command:details><command:name>$($cmd.Name)</command:name><command:verb>$verb</command:verb><command:noun>$noun</command:noun><maml:description>$(Paras $help.Synopsis)</maml:description></command:details>")
    [void]$sb.AppendLine("<maml:description>$(Paras $help.Description)</maml:description>")

    $paramXml = {
        param($p, $set)
        $attr = $null
        if ($set) { $attr = $p.ParameterSets[$set] }
        if (-not $attr -and $set) { $attr = $p.ParameterSets['__AllParameterSets'] }
        $required = [bool]($p.ParameterSets.Values | Where-Object IsMandatory | Select-Object -First 1)
        if ($attr) { $required = [bool]$attr.IsMandatory } else { $attr = $p.ParameterSets.Values | Select-Object -First 1 }
        $position = if ($attr.Position -ge 0) { $attr.Position } else { 'named' }
        $pipe = @()
        if ($p.ParameterSets.Values | Where-Object ValueFromPipeline) { $pipe += 'ByValue' }
        if ($p.ParameterSets.Values | Where-Object ValueFromPipelineByPropertyName) { $pipe += 'ByPropertyName' }
        $pipeText = if ($pipe) { "True ($($pipe -join ', '))" } else { 'False' }
        $type = TypeName $p.ParameterType
        $values = ''
        if ($p.ParameterType.IsEnum) { $values = ($p.ParameterType.GetEnumNames() | ForEach-Object { "<command:parameterValue required=`"false`" variableLength=`"false`">$_</command:parameterValue>" }) -join '' }
        $aliases = if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'None' }
        "<command:parameter required=`"$($required.ToString().ToLower())`" variableLength=`"true`" globbing=`"false`" pipelineInput=`"$pipeText`" position=`"$position`" aliases=`"$aliases`"><maml:name>$($p.Name)</maml:name><maml:description>$(Paras $paramText[$p.Name])</maml:description>" +
        $(if ($type -ne 'SwitchParameter') { "<command:parameterValue required=`"true`" variableLength=`"false`">$type</command:parameterValue>" } else { '' }) +
        $(if ($values) { "<command:parameterValueGroup>$values</command:parameterValueGroup>" } else { '' }) +
        "<dev:type><maml:name>$type</maml:name></dev:type>" +
        $(if ($defaults.ContainsKey($p.Name)) { "<dev:defaultValue>$(Esc $defaults[$p.Name])</dev:defaultValue>" } else { '<dev:defaultValue>None</dev:defaultValue>' }) +
        "</command:parameter>"
    }

    [void]$sb.Append('<command:syntax>')
    foreach ($set in $cmd.ParameterSets) {
        [void]$sb.Append("<command:syntaxItem><maml:name>$($cmd.Name)</maml:name>")
        foreach ($sp in $set.Parameters | Where-Object { $commonParameters -notcontains $_.Name }) {
            [void]$sb.Append((& $paramXml $cmd.Parameters[$sp.Name] $set.Name))
        }
        [void]$sb.Append('</command:syntaxItem>')
    }
    [void]$sb.AppendLine('</command:syntax>')
    [void]$sb.Append('<command:parameters>')
    foreach ($p in $params | Sort-Object Name) { [void]$sb.Append((& $paramXml $p $null)) }
    [void]$sb.AppendLine('</command:parameters>')

    [void]$sb.Append('<command:inputTypes>')
    foreach ($i in @($help.Inputs)) { if ($i) { [void]$sb.Append("<command:inputType><dev:type><maml:name>$(Esc $i.Type)</maml:name></dev:type><maml:description>$(Paras $i.Description)</maml:description></command:inputType>") } }
    [void]$sb.AppendLine('</command:inputTypes>')
    [void]$sb.Append('<command:returnValues>')
    foreach ($o in @($help.Outputs)) { if ($o) { [void]$sb.Append("<command:returnValue><dev:type><maml:name>$(Esc $o.Type)</maml:name></dev:type><maml:description>$(Paras $o.Description)</maml:description></command:returnValue>") } }
    [void]$sb.AppendLine('</command:returnValues>')
    if ($help.Notes) { [void]$sb.AppendLine("<maml:alertSet><maml:alert>$(Paras $help.Notes)</maml:alert></maml:alertSet>") }
    [void]$sb.Append('<command:examples>')
    $n = 0
    foreach ($e in @($help.Examples)) {
        $n++
        [void]$sb.Append("<command:example><maml:title>-------------------------- Example ${n}: $(Esc $e.Title) --------------------------</maml:title><dev:code>$(Esc $e.Code.Trim())</dev:code><dev:remarks>$(Paras $e.Remarks)</dev:remarks></command:example>")
    }
    [void]$sb.AppendLine('</command:examples>')
    [void]$sb.Append('<command:relatedLinks>')
    foreach ($l in @($help.Links)) { if ($l) { [void]$sb.Append("<maml:navigationLink><maml:linkText>$(Esc $l)</maml:linkText><maml:uri></maml:uri></maml:navigationLink>") } }
    [void]$sb.AppendLine('</command:relatedLinks>')
    [void]$sb.AppendLine('</command:command>')
}
[void]$sb.AppendLine('</helpItems>')

if ($problems.Count) { throw "Help is incomplete:`n  " + ($problems -join "`n  ") }
$target = Join-Path $ModulePath 'en-US'
New-Item -ItemType Directory -Path $target -Force | Out-Null
[xml]$sb.ToString() | Out-Null   # must be well-formed
Set-Content -Path (Join-Path $target 'SgNarrower.dll-Help.xml') -Value $sb.ToString() -Encoding utf8
