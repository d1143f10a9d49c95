@{
    RootModule           = 'SgNarrower.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d0f3c52-3f6e-4b8e-9a57-6f1f0c2a7e41'
    Author               = 'SgNarrower contributors'
    CompanyName          = 'SgNarrower'
    Copyright            = '(c) SgNarrower contributors. MIT License.'
    Description          = 'Finds EC2 security-group ingress rules open to the world, records them durably, and revokes or narrows them so that every change can be put back.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('SgNarrower.Format.ps1xml')
    CmdletsToExport      = @(
        'Get-OpenIngressRule'
        'Export-IngressAudit'
        'Revoke-OpenIngressRule'
        'Restore-IngressRule'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AWS', 'EC2', 'SecurityGroup', 'Security', 'Compliance', 'PSEdition_Desktop', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/sgnarrower/sgnarrower'
            LicenseUri   = 'https://github.com/sgnarrower/sgnarrower/blob/main/LICENSE'
        }
    }
}
