# Exceptions as code through the cmdlets: the same file as JSON, CSV and a PowerShell data file, live, ended and stale
# entries, a bad file refused whole, the file read from S3 with the bucket's owner, and a revoke that honours it.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Sample = Join-Path (Get-RepoRoot) 'samples/security-groups.json'
    $script:Web = 'sg-0a1b2c3d4e5f60002'

    function script:New-Entry([string] $Group, [string] $Protocol, $From, $To, [string] $Source, [string] $Owner, [string] $Ticket, [string] $Ends, [string] $Region = 'us-east-1') {
        [ordered]@{ AccountId = '123456789012'; Region = $Region; GroupId = $Group; SecurityGroupRuleId = '*'; IpProtocol = $Protocol
            FromPort = $From; ToPort = $To; Source = $Source; Owner = $Owner; Reason = "reason of $Ticket"; Ticket = $Ticket; Ends = $Ends }
    }
    $script:Entries = @(
        (New-Entry $script:Web tcp 443 443 '*' 'alice@example.com' 'CHG-1' '2099-01-01T00:00:00Z')
        (New-Entry $script:Web tcp 80 80 '0.0.0.0/0' 'bob@example.com' 'CHG-0' '2020-01-01T00:00:00Z')
        (New-Entry 'sg-0deadbeef00000000' '*' '*' '*' '*' 'carol@example.com' 'CHG-9' '2099-01-01T00:00:00Z')
        (New-Entry 'sg-0elsewhere0000000' '*' '*' '*' '*' 'dan@example.com' 'CHG-7' '2099-01-01T00:00:00Z' -Region 'eu-west-1')
    )
    $script:Json = Join-Path $TestDrive 'exceptions.json'
    @{ Exceptions = $script:Entries } | ConvertTo-Json -Depth 4 | Set-Content $script:Json
    $script:Csv = Join-Path $TestDrive 'exceptions.csv'
    $script:Entries | ForEach-Object { [pscustomobject]$_ } | Export-Csv $script:Csv -NoTypeInformation
    $script:Psd1 = Join-Path $TestDrive 'exceptions.psd1'
    $items = foreach ($e in $script:Entries) { '    @{ ' + (($e.GetEnumerator() | ForEach-Object { "$($_.Key) = '$($_.Value)'" }) -join '; ') + ' }' }
    Set-Content $script:Psd1 ("@{`n  Exceptions = @(`n" + ($items -join "`n") + "`n  )`n}")
}

Describe 'Get-OpenIngressRule -ExceptionPath' {
    It 'marks the rules a live exception keeps open, those whose exception ended, and warns of stale entries (<_>)' -ForEach @('json', 'csv', 'psd1') {
        $file = @{ json = $script:Json; csv = $script:Csv; psd1 = $script:Psd1 }[$_]
        $rules = @(Get-OpenIngressRule -Path $script:Sample -Region us-east-1 -ExceptionPath $file -WarningVariable warned -WarningAction SilentlyContinue)
        $rules.Count | Should -Be 13
        $live = @($rules | Where-Object ExceptionState -eq 'Live')
        @($live | ForEach-Object { "$($_.GroupId) $($_.Rule)" }) | Should -Be @("$($script:Web) tcp 443 0.0.0.0/0", "$($script:Web) tcp 443 ::/0")
        $live[0].ExceptionOwner | Should -Be 'alice@example.com'
        $live[0].ExceptionTicket | Should -Be 'CHG-1'
        $live[0].ExceptionEnds | Should -Be ([DateTimeOffset]'2099-01-01T00:00:00Z')
        $ended = $rules | Where-Object ExceptionState -eq 'Ended'
        $ended.Rule | Should -Be 'tcp 80 0.0.0.0/0'
        $ended.ExceptionNote | Should -BeLike '*CHG-0, owner bob@example.com) ended 2020-01-01T00:00:00Z*'
        @($rules | Where-Object { -not $_.ExceptionState }).Count | Should -Be 10
        # The entry for a group that is not there is stale; the one for a region this scan did not look at is not.
        $warned.Count | Should -Be 1
        "$($warned[0])" | Should -BeLike 'Stale: exception #3 in exceptions.*(CHG-9, owner carol@example.com)*'
    }

    It 'refuses a file with one ambiguous entry whole, naming it, and writes no rule' {
        $bad = Join-Path $TestDrive 'bad.json'
        $entries = @($script:Entries[0], (New-Entry $script:Web tcp 80 80 '0.0.0.0/0' 'bob@example.com' 'CHG-5' '2027-03-31'))
        @{ Exceptions = $entries } | ConvertTo-Json -Depth 4 | Set-Content $bad
        $out = $null
        { $script:out = Get-OpenIngressRule -Path $script:Sample -ExceptionPath $bad } |
            Should -Throw -ErrorId 'InvalidExceptionFile,SgNarrower.Commands.GetOpenIngressRuleCommand' -ExpectedMessage '*exception #2 (CHG-5) Ends ''2027-03-31'' is not a moment with its zone*'
        $script:out | Should -BeNullOrEmpty
    }

    It 'reads a PowerShell data file as data and never runs it' {
        $evil = Join-Path $TestDrive 'evil.psd1'
        $marker = Join-Path $TestDrive 'ran.txt'
        Set-Content $evil "@{ Exceptions = @( @{ Owner = `$(Set-Content '$marker' 'x') } ) }"
        { Get-OpenIngressRule -Path $script:Sample -ExceptionPath $evil } | Should -Throw -ErrorId 'InvalidExceptionFile,*' -ExpectedMessage '*not data only*'
        Test-Path $marker | Should -BeFalse
    }
}

Describe 'Exceptions against the endpoint' {
    BeforeAll {
        $script:Ec2 = Start-TestEc2
        $script:Conn = @{ Region = 'us-east-1'; EndpointUrl = $script:Ec2.Url }
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup $script:Web -Rules @((New-TestRule tcp 443 443 '0.0.0.0/0' 'https'), (New-TestRule tcp 80 80 '0.0.0.0/0' 'http'))
            New-TestGroup 'sg-0other' -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh')
        ) } } }
        $body = Get-Content $script:Json -Raw
        Invoke-RestMethod -Method Post -Uri "$($script:Ec2.Url)_control/s3-object" -ContentType 'application/json' -Body (@{ path = '/policy/exceptions.json'; body = $body } | ConvertTo-Json) | Out-Null
    }
    AfterAll { Stop-TestEc2 $script:Ec2 }

    It 'reads the file from S3 with the caller''s account as the bucket''s owner, and a revoke leaves what a live exception keeps open' {
        $rules = @(Get-OpenIngressRule @script:Conn -ExceptionUri s3://policy/exceptions.json -WarningAction SilentlyContinue)
        $get = (Invoke-RestMethod "$($script:Ec2.Url)_control/s3-requests").all | Where-Object Path -eq '/policy/exceptions.json'
        @($get).Count | Should -Be 1
        (Invoke-RestMethod "$($script:Ec2.Url)_control/s3-requests").last.Headers.'x-amz-expected-bucket-owner' | Should -Be '123456789012'
        ($rules | Where-Object ExceptionState -eq 'Live').Rule | Should -Be 'tcp 443 0.0.0.0/0'

        $results = @($rules | Revoke-OpenIngressRule @script:Conn -SkipAudit -Force)
        $kept = $results | Where-Object Status -eq 'Excepted'
        $kept.Rule | Should -Be 'tcp 443 0.0.0.0/0'
        $kept.Error | Should -BeLike '*alice@example.com*until 2099-01-01T00:00:00Z*'
        @($results | Where-Object Status -eq 'Revoked').Count | Should -Be 2
        @(Get-OpenIngressRule @script:Conn).Rule | Should -Be @('tcp 443 0.0.0.0/0')
    }

    It 'takes the file as it is now over what the input says: -ExceptionPath on Revoke keeps a rule that came without it' {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup $script:Web -Rules @((New-TestRule tcp 443 443 '0.0.0.0/0' 'https'), (New-TestRule tcp 80 80 '0.0.0.0/0' 'http'))
        ) } } }
        $results = @(Get-OpenIngressRule @script:Conn | Revoke-OpenIngressRule @script:Conn -ExceptionPath $script:Json -SkipAudit -Force)
        ($results | Where-Object Rule -eq 'tcp 443 0.0.0.0/0').Status | Should -Be 'Excepted'
        ($results | Where-Object Rule -eq 'tcp 80 0.0.0.0/0').Status | Should -Be 'Revoked'
        ($results | Where-Object Rule -eq 'tcp 80 0.0.0.0/0').ExceptionState | Should -Be 'Ended'
    }

    It 'matches a rule that names no account or region (a CSV row) in the account and region it is changed in' {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup $script:Web -Rules @((New-TestRule tcp 443 443 '0.0.0.0/0' 'https'))
        ) } } }
        $row = [pscustomobject]@{ GroupId = $script:Web; IpProtocol = 'tcp'; FromPort = 443; ToPort = 443; CidrIpv4 = '0.0.0.0/0' }
        $result = $row | Revoke-OpenIngressRule @script:Conn -ExceptionPath $script:Json -SkipAudit -Force
        $result.Status | Should -Be 'Excepted'
        $result.OwnerId | Should -BeNullOrEmpty
        @(Get-OpenIngressRule @script:Conn).Count | Should -Be 1
    }
}
