# Every credential source the SDK's profiles and default chain support, through the built module: the SDK loads
# AWSSDK.SecurityToken, AWSSDK.SSO and AWSSDK.SSOOIDC by name at run time, from the module's own load context.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $script:Url = $script:Ec2.Url
    Set-TestWorld $script:Ec2 @{
        regions  = @{ 'us-east-1' = @{ groups = @(New-TestGroup sg-home -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0' 'home')) } }
        accounts = @{ '111111111111' = @{ roles = @('Audit'); regions = @{ 'us-east-1' = @{ groups = @(New-TestGroup sg-member -Rules @(New-TestRule tcp 3389 3389 '0.0.0.0/0' 'member')) } } } }
    }

    # Profiles written the way the AWS CLI writes them; the module is told nothing but the profile's name.
    $script:Dir = Join-Path ([IO.Path]::GetTempPath()) ("sgn-cred-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $script:Dir | Out-Null
    $script:Config = Join-Path $script:Dir 'config'
    $script:Credentials = Join-Path $script:Dir 'credentials'
    $proc = Join-Path $script:Dir 'credential-process.sh'
    Set-Content $proc "#!/bin/sh`necho '{""Version"": 1, ""AccessKeyId"": ""AKIDFROMPROCESS"", ""SecretAccessKey"": ""process-secret""}'"
    & chmod +x $proc
    Set-Content $script:Credentials @"
[base]
aws_access_key_id = AKIDBASEPROFILE
aws_secret_access_key = base-secret
"@
    Set-Content $script:Config @"
[profile base]
region = us-east-1

[profile auditor]
role_arn = arn:aws:iam::111111111111:role/Audit
source_profile = base
region = us-east-1

[profile from-env]
role_arn = arn:aws:iam::111111111111:role/Audit
credential_source = Environment
region = us-east-1

[profile denied]
role_arn = arn:aws:iam::111111111111:role/NoSuchRole
source_profile = base
region = us-east-1

[profile proc]
credential_process = $proc
region = us-east-1

[profile sso]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Audit
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.example.awsapps.com/start
sso_region = us-east-1
"@
    $env:AWS_CONFIG_FILE = $script:Config
    $env:AWS_SHARED_CREDENTIALS_FILE = $script:Credentials

    # For sources the default chain resolves, a fresh pwsh with just that source in its environment.
    function script:Invoke-Isolated([hashtable] $Environment) {
        $assign = ($Environment.GetEnumerator() | ForEach-Object { "`$env:$($_.Key) = '$($_.Value)'" }) -join "`n"
        $out = Invoke-ChildPwsh @"
`$ErrorActionPreference = 'Stop'
Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY, Env:AWS_SESSION_TOKEN, Env:AWS_PROFILE -ErrorAction Ignore
`$env:AWS_CONFIG_FILE = '$(Join-Path $script:Dir 'empty-config')'
`$env:AWS_SHARED_CREDENTIALS_FILE = '$(Join-Path $script:Dir 'empty-credentials')'
`$env:AWS_ENDPOINT_URL_STS = '$script:Url'
`$env:AWS_ENDPOINT_URL_SSO = '$script:Url'
$assign
Import-Module '$(Get-BuiltModulePath)'
Get-OpenIngressRule -Region us-east-1 -EndpointUrl '$script:Url' | ForEach-Object { 'RULE ' + `$_.OwnerId + ' ' + `$_.GroupId }
"@
        @($out | ForEach-Object { "$_" })
    }
}
AfterAll {
    Stop-TestEc2 $script:Ec2
    Remove-Item Env:AWS_CONFIG_FILE, Env:AWS_SHARED_CREDENTIALS_FILE -ErrorAction Ignore
    Remove-Item $script:Dir -Recurse -Force -ErrorAction Ignore
}

Describe 'Credentials from profiles' {
    BeforeEach { Reset-TestCalls $script:Ec2 }

    It 'role_arn with source_profile assumes the role with the source profile''s keys' {
        $r = @(Get-OpenIngressRule -ProfileName auditor -EndpointUrl $script:Url)
        $r.GroupId | Should -Be 'sg-member'
        $r.OwnerId | Should -Be '111111111111'
        $assume = @(Get-TestStsCalls $script:Ec2 | Where-Object Action -eq 'AssumeRole')
        $assume.RoleArn | Should -Be 'arn:aws:iam::111111111111:role/Audit'
    }

    It 'role_arn with credential_source = Environment uses the environment''s keys as the source' {
        $r = @(Get-OpenIngressRule -ProfileName from-env -EndpointUrl $script:Url)
        $r.OwnerId | Should -Be '111111111111'
        (Get-TestStsCalls $script:Ec2 | Where-Object Action -eq 'AssumeRole').CallerAccount | Should -Be '123456789012'
    }

    It 'a role that cannot be assumed is an error that names the role and the STS error' {
        $err = { Get-OpenIngressRule -ProfileName denied -EndpointUrl $script:Url } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match 'NoSuchRole'
        $err.Exception.Message | Should -Match 'AccessDenied|not authorized'
    }

    It 'credential_process runs the process and signs with what it prints' {
        $r = @(Get-OpenIngressRule -ProfileName proc -EndpointUrl $script:Url)
        $r.GroupId | Should -Be 'sg-home'
        (Get-TestCalls $script:Ec2 DescribeSecurityGroups)[0].AccessKey | Should -Be 'AKIDFROMPROCESS'
    }
}

Describe 'Credentials from the default chain' {
    It 'web identity (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, as in EKS and CI runners)' {
        $token = Join-Path $script:Dir 'web-identity-token'
        Set-Content $token 'eyJ.a-web-identity.token' -NoNewline
        $out = Invoke-Isolated @{ AWS_WEB_IDENTITY_TOKEN_FILE = $token; AWS_ROLE_ARN = 'arn:aws:iam::111111111111:role/Audit'; AWS_ROLE_SESSION_NAME = 'ci-run' }
        $out | Should -Contain 'RULE 111111111111 sg-member'
        $call = @(Get-TestStsCalls $script:Ec2 | Where-Object Action -eq 'AssumeRoleWithWebIdentity')[-1]
        $call.RoleSessionName | Should -Be 'ci-run'
        $call.WebIdentityToken | Should -Be 'eyJ.a-web-identity.token'
    }

    It 'IAM Identity Center (sso_session) with the token the AWS CLI leaves in its cache' {
        $homeDir = Join-Path $script:Dir 'home'
        $cache = Join-Path $homeDir '.aws/sso/cache'
        New-Item -ItemType Directory $cache -Force | Out-Null
        $sha1 = [BitConverter]::ToString([Security.Cryptography.SHA1]::HashData([Text.Encoding]::UTF8.GetBytes('corp'))).Replace('-', '').ToLowerInvariant()
        @{ accessToken = 'sso-access-token'; expiresAt = [DateTime]::UtcNow.AddHours(8).ToString('yyyy-MM-ddTHH:mm:ssZ'); region = 'us-east-1'
           startUrl = 'https://corp.example.awsapps.com/start' } | ConvertTo-Json | Set-Content (Join-Path $cache "$sha1.json")
        $out = Invoke-Isolated @{ HOME = $homeDir; AWS_CONFIG_FILE = $script:Config; AWS_PROFILE = 'sso' }
        $out | Should -Contain 'RULE 111111111111 sg-member'
        $call = @(Get-TestStsCalls $script:Ec2 | Where-Object Action -eq 'GetRoleCredentials')[-1]
        $call.WebIdentityToken | Should -Be 'sso-access-token'
        $call.RoleArn | Should -Be 'arn:aws:iam::111111111111:role/Audit'
    }

    It 'a container role (AWS_CONTAINER_CREDENTIALS_FULL_URI with its authorization token)' {
        $out = Invoke-Isolated @{ AWS_CONTAINER_CREDENTIALS_FULL_URI = "$($script:Url)container-credentials"; AWS_CONTAINER_AUTHORIZATION_TOKEN = 'container-secret' }
        $out | Should -Contain 'RULE 123456789012 sg-home'
    }

    It 'an instance role (IMDSv2, reached through AWS_EC2_METADATA_SERVICE_ENDPOINT)' {
        $out = Invoke-Isolated @{ AWS_EC2_METADATA_DISABLED = 'false'; AWS_EC2_METADATA_SERVICE_ENDPOINT = $script:Url.TrimEnd('/') }
        $out | Should -Contain 'RULE 123456789012 sg-home'
        @(Get-TestStsCalls $script:Ec2 | Where-Object Action -like 'InstanceMetadata PUT*').Count | Should -BeGreaterThan 0
    }

    It 'endpoints configured the AWS way: endpoint_url in the profile, by -ProfileName and by AWS_PROFILE' {
        $config = Join-Path $script:Dir 'endpoint-config'
        Set-Content $config "[profile ep]`nregion = us-east-1`naws_access_key_id = AKIDENDPOINT`naws_secret_access_key = x`nendpoint_url = $($script:Url)`n"
        $out = Invoke-ChildPwsh @"
Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY, Env:AWS_ENDPOINT_URL_STS, Env:AWS_ENDPOINT_URL_SSO -ErrorAction Ignore
`$env:AWS_CONFIG_FILE = '$config'; `$env:AWS_SHARED_CREDENTIALS_FILE = '$(Join-Path $script:Dir 'none')'
Import-Module '$(Get-BuiltModulePath)'
Get-OpenIngressRule -ProfileName ep | ForEach-Object { 'BYNAME ' + `$_.GroupId }
`$env:AWS_PROFILE = 'ep'
Get-OpenIngressRule | ForEach-Object { 'BYENV ' + `$_.GroupId }
"@
        $lines = @($out | ForEach-Object { "$_" })
        $lines | Should -Contain 'BYNAME sg-home'
        $lines | Should -Contain 'BYENV sg-home'
    }

    It 'endpoints configured the AWS way: AWS_ENDPOINT_URL_EC2 without -EndpointUrl' {
        $out = Invoke-ChildPwsh @"
`$env:AWS_ENDPOINT_URL_EC2 = '$script:Url'
`$env:AWS_ACCESS_KEY_ID = 'AKIDSGNARROWERTEST'; `$env:AWS_SECRET_ACCESS_KEY = 'x'
Import-Module '$(Get-BuiltModulePath)'
Get-OpenIngressRule -Region us-east-1 | ForEach-Object { 'RULE ' + `$_.GroupId }
"@
        @($out | ForEach-Object { "$_" }) | Should -Contain 'RULE sg-home'
    }
}
