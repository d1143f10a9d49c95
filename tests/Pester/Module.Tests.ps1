BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Cmdlets = @((Import-PowerShellDataFile (Get-BuiltModulePath)).CmdletsToExport)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ModulePath = Get-BuiltModulePath
    Import-Module $script:ModulePath -Force
    Set-TestAwsEnvironment
}

Describe 'The module manifest' {
    It 'is a valid manifest for Windows PowerShell 5.1 and PowerShell 7' {
        $m = Test-ModuleManifest $script:ModulePath
        $m.PowerShellVersion | Should -Be ([version]'5.1')
        $m.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $m.RootModule | Should -Be 'SgNarrower.dll'
    }

    It 'exports exactly its cmdlets and nothing else' {
        $m = Get-Module SgNarrower
        $manifest = Import-PowerShellDataFile $script:ModulePath
        @($m.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($manifest.CmdletsToExport | Sort-Object)
        $m.ExportedFunctions.Count | Should -Be 0
        $m.ExportedVariables.Count | Should -Be 0
        $m.ExportedAliases.Count | Should -Be 0
    }

    It 'takes its assembly version from the manifest (one version source)' {
        $manifest = Import-PowerShellDataFile $script:ModulePath
        $asm = [SgNarrower.OpenIngressRule].Assembly.GetName().Version
        "$($asm.Major).$($asm.Minor).$($asm.Build)" | Should -Be $manifest.ModuleVersion
    }

    It 'ships a netstandard2.0 cmdlet assembly that does not reference the AWS SDK' {
        $dll = Join-Path (Split-Path $script:ModulePath) 'SgNarrower.dll'
        $asm = [System.Reflection.Assembly]::LoadFile($dll)
        $framework = $asm.GetCustomAttributes([System.Runtime.Versioning.TargetFrameworkAttribute], $false)[0].FrameworkName
        $framework | Should -Be '.NETStandard,Version=v2.0'
        $asm.GetReferencedAssemblies().Name | Should -Not -Contain 'AWSSDK.Core'
        Test-Path (Join-Path (Split-Path $script:ModulePath) 'Dependencies/AWSSDK.EC2.dll') | Should -BeTrue
    }

    It 'keeps each cmdlet class on at most two base classes (one of its own, then PSCmdlet)' -ForEach $script:Cmdlets {
        $type = (Get-Command $_).ImplementingType
        $chain = @()
        for ($t = $type.BaseType; $t -ne [System.Management.Automation.PSCmdlet]; $t = $t.BaseType) { $chain += $t.Name }
        $chain.Count | Should -BeLessOrEqual 1 -Because "$($type.Name) sits on $($chain -join ', '), PSCmdlet"
    }
}

Describe 'Help' {
    It '<_> has a synopsis, a description, examples and a description for every parameter' -ForEach $script:Cmdlets {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\S+\s+\['   # not the auto-generated syntax stand-in
        @($help.Examples.Example).Count | Should -BeGreaterThan 1
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($p in (Get-Command $_).Parameters.Keys | Where-Object { $common -notcontains $_ }) {
            $ph = $help.Parameters.Parameter | Where-Object Name -eq $p
            ($ph.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }
}

Describe 'Tab completion' {
    It 'completes -Region with region names' {
        $r = TabExpansion2 -inputScript 'Get-OpenIngressRule -Region eu-we' -cursorColumn 'Get-OpenIngressRule -Region eu-we'.Length
        $r.CompletionMatches.CompletionText | Should -Contain 'eu-west-1'
        $r.CompletionMatches.CompletionText | Should -Not -Contain 'us-east-1'
    }

    It 'completes -ProfileName from the credentials file' {
        $file = Join-Path $TestDrive 'credentials'
        Set-Content $file "[alpha]`naws_access_key_id = A`naws_secret_access_key = B`n[beta]`naws_access_key_id = A`naws_secret_access_key = B"
        $line = "Get-OpenIngressRule -ProfileLocation '$file' -ProfileName "
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $r.CompletionMatches.CompletionText | Should -Be @('alpha', 'beta')
    }
}

Describe 'Dependency isolation' {
    BeforeAll { $script:Server = Start-TestEc2 }
    AfterAll { Stop-TestEc2 $script:Server }

    It 'imports and scans in a session that already loaded another AWSSDK.Core (as AWS.Tools does)' {
        Set-TestWorld $script:Server @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup 'sg-1' -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0')
        ) } } }
        $nuget = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
        $old = Join-Path $nuget.Trim() 'awssdk.core/3.7.402/lib/netcoreapp3.1/AWSSDK.Core.dll'
        Test-Path $old | Should -BeTrue
        $out = Invoke-ChildPwsh @"
`$ErrorActionPreference = 'Stop'
`$env:AWS_ACCESS_KEY_ID = 'A'; `$env:AWS_SECRET_ACCESS_KEY = 'B'; `$env:AWS_EC2_METADATA_DISABLED = 'true'
Add-Type -Path '$old'
[void][Amazon.Runtime.AWSCredentials]
Import-Module '$($script:ModulePath)'
`$rules = @(Get-OpenIngressRule -Region us-east-1 -EndpointUrl '$($script:Server.Url)')
`$versions = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'AWSSDK.Core' } | ForEach-Object { `$_.GetName().Version.Major }
"RESULT rules=`$(`$rules.Count) rule=`$(`$rules[0].SecurityGroupRuleId) versions=`$((`$versions | Sort-Object) -join ',')"
"@
        $line = $out | Where-Object { "$_" -like 'RESULT *' }
        $line | Should -Not -BeNullOrEmpty -Because ($out -join "`n")
        $line | Should -Match 'rules=1 rule=sgr-'
        $line | Should -Match 'versions=3,4'
    }
}
