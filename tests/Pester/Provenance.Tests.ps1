# Who opened each rule: CloudTrail records of the shapes AWS documents (authorize by group id, by name from a stack,
# an older one without rule ids, a modify, a failed call), gzipped into moto's S3 under a trail's single-account and
# organisation layouts by the test, read by Get-OpenIngressRule against moto's EC2.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Moto = Start-TestMoto
    $script:Own = '123456789012'
    # The caller's account (the trail bucket's expected owner) is asked of moto's STS.
    $script:StsBefore = $env:AWS_ENDPOINT_URL_STS
    $env:AWS_ENDPOINT_URL_STS = $script:Moto.Url
    $script:Ids = Set-MotoWorld $script:Moto @{ $script:Own = @{ 'us-east-2' = @(
        @{ name = 'web'; rules = @(@{ IpProtocol = 'tcp'; FromPort = 443; ToPort = 443; CidrIpv4 = '0.0.0.0/0'; Description = 'https' }) }
        @{ name = 'admin'; rules = @(@{ IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '0.0.0.0/0'; Description = 'ssh' }) }
        @{ name = 'legacy'; rules = @(@{ IpProtocol = 'tcp'; FromPort = 3389; ToPort = 3389; CidrIpv4 = '0.0.0.0/0'; Description = 'rdp' }) }
        @{ name = 'quiet'; rules = @(@{ IpProtocol = 'tcp'; FromPort = 8080; ToPort = 8080; CidrIpv4 = '0.0.0.0/0'; Description = 'alt' }) }
    ) } } -Buckets 'trail'
    $script:Rules = @{}
    foreach ($r in Get-MotoRules $script:Moto -Region us-east-2) { $script:Rules[$r.GroupName] = $r }
    $script:Conn = @{ Region = 'us-east-2'; EndpointUrl = $script:Moto.Url; AccessKey = 'AKIDMOTOTEST'; SecretKey = 'moto-secret' }

    function script:New-Record([string] $Time, [hashtable] $Identity, [hashtable] $Request, [hashtable] $Response, [string] $From = '198.51.100.23', [string] $Agent = 'aws-cli/2.22.0') {
        $record = [ordered]@{ eventVersion = '1.09'; userIdentity = $Identity; eventTime = $Time; eventSource = 'ec2.amazonaws.com'
            eventName = 'AuthorizeSecurityGroupIngress'; awsRegion = 'us-east-2'; sourceIPAddress = $From; userAgent = $Agent
            requestParameters = $Request; responseElements = $Response; readOnly = $false; eventType = 'AwsApiCall'; managementEvent = $true
            recipientAccountId = $script:Own; eventCategory = 'Management' }
        $record
    }
    function script:Permission($Rule) {
        @{ items = @(@{ ipProtocol = 'tcp'; fromPort = $Rule.FromPort; toPort = $Rule.ToPort; groups = @{}; ipRanges = @{ items = @(@{ cidrIp = $Rule.CidrIpv4 }) }; ipv6Ranges = @{}; prefixListIds = @{} }) }
    }
    function script:RuleSet($Rule) {
        @{ items = @(@{ groupOwnerId = $script:Own; groupId = $Rule.GroupId; securityGroupRuleId = $Rule.SecurityGroupRuleId; isEgress = $false
            ipProtocol = 'tcp'; fromPort = $Rule.FromPort; toPort = $Rule.ToPort; cidrIpv4 = $Rule.CidrIpv4 }) }
    }
    $script:AllRecords = [System.Collections.Generic.List[object]]::new()
    function script:Put-Trail([string] $Key, [object[]] $Records) {
        $script:AllRecords.AddRange($Records)
        Invoke-MotoWorld $script:Moto 'put-object' @{ bucket = 'trail'; key = $Key; gzip = $true; body = (@{ Records = $Records } | ConvertTo-Json -Depth 12 -Compress) } | Out-Null
    }

    $alice = @{ type = 'AssumedRole'; principalId = 'AROAEXAMPLEID:alice'; arn = "arn:aws:sts::$($script:Own):assumed-role/Admin/alice"; accountId = $script:Own
        sessionContext = @{ sessionIssuer = @{ type = 'Role'; arn = "arn:aws:iam::$($script:Own):role/Admin"; accountId = $script:Own; userName = 'Admin' } } }
    $bob = @{ type = 'IAMUser'; principalId = 'AIDAEXAMPLEBOB'; arn = "arn:aws:iam::$($script:Own):user/bob"; accountId = $script:Own; userName = 'bob' }
    $stack = @{ type = 'AssumedRole'; arn = "arn:aws:sts::$($script:Own):assumed-role/Deployer/AWSCloudFormation"; accountId = $script:Own; invokedBy = 'cloudformation.amazonaws.com'
        sessionContext = @{ sessionIssuer = @{ type = 'Role'; arn = "arn:aws:iam::$($script:Own):role/Deployer"; accountId = $script:Own } } }
    $web, $admin, $legacy = $script:Rules.web, $script:Rules.admin, $script:Rules.legacy

    # The single-account layout: the web rule by group id, with its rule id; the legacy rule in an older record whose
    # answer names no rules (matched by group and what it allows); a failed call on the quiet group, which opened nothing.
    $failed = New-Record '2026-12-05T08:00:00Z' $bob @{ groupId = $script:Rules.quiet.GroupId; ipPermissions = (Permission $script:Rules.quiet) } @{ requestId = 'r0' }
    $failed['errorCode'] = 'Client.UnauthorizedOperation'
    # The quiet rule was authorized private (10.0.0.0/8), then edited in place to the world by carol.
    $quiet = $script:Rules.quiet
    $private = [pscustomobject]@{ GroupId = $quiet.GroupId; SecurityGroupRuleId = $quiet.SecurityGroupRuleId; FromPort = $quiet.FromPort; ToPort = $quiet.ToPort; CidrIpv4 = '10.0.0.0/8' }
    $madePrivate = New-Record '2026-12-05T07:00:00Z' $bob @{ groupId = $quiet.GroupId; ipPermissions = (Permission $private) } @{ requestId = 'r4'; _return = $true; securityGroupRuleSet = (RuleSet $private) }
    $carol = @{ type = 'AssumedRole'; arn = "arn:aws:sts::$($script:Own):assumed-role/Admin/carol"; accountId = $script:Own
        sessionContext = @{ sessionIssuer = @{ type = 'Role'; arn = "arn:aws:iam::$($script:Own):role/Admin"; accountId = $script:Own } } }
    $modified = New-Record '2026-12-05T09:50:00Z' $carol @{ ModifySecurityGroupRulesRequest = @{ GroupId = $quiet.GroupId; SecurityGroupRule = @{ tag = 1; SecurityGroupRuleId = $quiet.SecurityGroupRuleId
        SecurityGroupRule = @{ IpProtocol = 'tcp'; FromPort = $quiet.FromPort; ToPort = $quiet.ToPort; CidrIpv4 = '0.0.0.0/0'; Description = 'alt' } } } } @{ ModifySecurityGroupRulesResponse = @{ requestId = 'r5'; return = $true } }
    $modified.eventName = 'ModifySecurityGroupRules'
    Put-Trail "AWSLogs/$($script:Own)/CloudTrail/us-east-2/2026/12/05/$($script:Own)_CloudTrail_us-east-2_20261205T1000Z_a1b2c3d4e5f6a7b8.json.gz" @(
        (New-Record '2026-12-05T09:15:01Z' $alice @{ groupId = $web.GroupId; ipPermissions = (Permission $web) } @{ requestId = 'r1'; _return = $true; securityGroupRuleSet = (RuleSet $web) })
        (New-Record '2026-12-05T09:40:00Z' $bob @{ groupId = $legacy.GroupId; ipPermissions = (Permission $legacy) } @{ requestId = 'r2'; _return = $true })
        $failed
        $madePrivate
        $modified
    )
    # The organisation layout: the admin rule authorized by group name from a stack (the group is in the answer).
    Put-Trail "org/AWSLogs/o-abcdefghij/$($script:Own)/CloudTrail/us-east-2/2026/12/06/$($script:Own)_CloudTrail_us-east-2_20261206T1200Z_b1b2c3d4e5f6a7b8.json.gz" @(
        (New-Record '2026-12-06T11:55:00Z' $stack @{ groupName = 'admin'; ipPermissions = (Permission $admin) } @{ requestId = 'r3'; _return = $true; securityGroupRuleSet = (RuleSet $admin) } -From 'cloudformation.amazonaws.com' -Agent 'cloudformation.amazonaws.com')
    )
}
AfterAll {
    Stop-TestMoto $script:Moto
    $env:AWS_ENDPOINT_URL_STS = $script:StsBefore
}

Describe 'Get-OpenIngressRule -CloudTrailUri' {
    It 'names who opened each rule from a single-account trail, and says which were opened before what it read' {
        $rules = @(Get-OpenIngressRule @script:Conn -CloudTrailUri s3://trail)
        $rules.Count | Should -Be 4
        $byGroup = @{}
        foreach ($r in $rules) { $byGroup[$r.GroupName] = $r }
        $byGroup.web.OpenedBy | Should -Be "arn:aws:sts::$($script:Own):assumed-role/Admin/alice"
        $byGroup.web.OpenedByType | Should -Be 'AssumedRole'
        $byGroup.web.OpenedByIssuer | Should -Be "arn:aws:iam::$($script:Own):role/Admin"
        $byGroup.web.OpenedAt | Should -Be ([DateTimeOffset]'2026-12-05T09:15:01Z')
        $byGroup.web.OpenedFrom | Should -Be '198.51.100.23'
        $byGroup.web.OpenedWith | Should -Be 'AuthorizeSecurityGroupIngress'
        $byGroup.legacy.OpenedBy | Should -Be "arn:aws:iam::$($script:Own):user/bob"
        $byGroup.legacy.OpenedByType | Should -Be 'IAMUser'
        # Edited in place from a private block to the world: the modify opened it.
        $byGroup.quiet.OpenedBy | Should -Be "arn:aws:sts::$($script:Own):assumed-role/Admin/carol"
        $byGroup.quiet.OpenedWith | Should -Be 'ModifySecurityGroupRules'
        $byGroup.quiet.OpenedAt | Should -Be ([DateTimeOffset]'2026-12-05T09:50:00Z')
        $byGroup.admin.OpenedBy | Should -BeNullOrEmpty
        $byGroup.admin.ProvenanceNote | Should -BeLike 'Opened before *, where the CloudTrail read begins*'
    }

    It 'reads an organisation trail''s layout with -OrganizationId' {
        $rules = @(Get-OpenIngressRule @script:Conn -CloudTrailUri s3://trail/org -OrganizationId o-abcdefghij)
        $admin = $rules | Where-Object GroupName -eq 'admin'
        $admin.OpenedBy | Should -Be "arn:aws:sts::$($script:Own):assumed-role/Deployer/AWSCloudFormation"
        $admin.OpenedWith | Should -Be 'AuthorizeSecurityGroupIngress through cloudformation.amazonaws.com'
        $admin.OpenedFrom | Should -Be 'cloudformation.amazonaws.com'
        ($rules | Where-Object GroupName -eq 'web').OpenedBy | Should -BeNullOrEmpty
    }

    It 'reads nothing of days before the window: a record older than -CloudTrailSince names nobody' {
        $rules = @(Get-OpenIngressRule @script:Conn -CloudTrailUri s3://trail -CloudTrailSince '2026-12-06Z')
        ($rules | Where-Object GroupName -eq 'web').OpenedBy | Should -BeNullOrEmpty
        ($rules | Where-Object GroupName -eq 'web').ProvenanceNote | Should -BeLike 'Opened before 2026-12-06T00:00:00Z*'
    }

    It 'shows who opened each rule in the report, with counts that equal the rows they show' {
        $rules = @(Get-OpenIngressRule @script:Conn -CloudTrailUri s3://trail)
        $html = Join-Path $TestDrive 'provenance.html'
        $rules | Export-IngressReport -Path $html | Out-Null
        $page = Invoke-ReportCheck $html 'provenance' -Needle 'assumed-role/Admin/alice'
        foreach ($t in $page.tallies) { $t.shown | Should -Be $t.count -Because "$($t.facet) $($t.value)" }
        ($page.tallies | Where-Object { $_.facet -eq 'provenance' -and $_.value -eq 'Known' }).count | Should -Be 3
        ($page.tallies | Where-Object { $_.facet -eq 'provenance' -and $_.value -eq 'Before the window' }).count | Should -Be 1
        $page.headers.text | Should -Contain 'Opened by'
        $md = Join-Path $TestDrive 'provenance.md'
        $rules | Export-IngressReport -Path $md | Out-Null
        (Get-Content $md) | Should -Contain '| Known | 3 |'
    }

    It 'names the same openers from the shipped Athena query''s result as from the raw records' {
        $raw = Join-Path $TestDrive 'trail.json'
        @{ Records = @($script:AllRecords) } | ConvertTo-Json -Depth 12 -Compress | Set-Content $raw
        # What Athena returns for sql/cloudtrail-provenance.sql over the same records: the identity's fields in columns
        # of their own, the request and response as the JSON text CloudTrail recorded; the failed call is not selected.
        $csv = Join-Path $TestDrive 'result.csv'
        $sqlColumns = [regex]::Matches((Get-Content (Join-Path (Get-RepoRoot) 'sql/cloudtrail-provenance.sql') -Raw), '(?m)^\s*(?:SELECT )?([\w.]+)(?: AS (\w+))?,?$') | ForEach-Object { if ($_.Groups[2].Success) { $_.Groups[2].Value } else { $_.Groups[1].Value } }
        $rows = foreach ($r in $script:AllRecords | Where-Object { -not $_.errorCode }) {
            $u = $r.userIdentity
            [pscustomobject][ordered]@{
                eventtime = $r.eventTime; eventname = $r.eventName; awsregion = $r.awsRegion; recipientaccountid = $r.recipientAccountId
                useridentity_type = $u.type; useridentity_arn = $u.arn; useridentity_accountid = $u.accountId; useridentity_invokedby = $u.invokedBy
                sessionissuer_arn = $u.sessionContext.sessionIssuer.arn; sourceipaddress = $r.sourceIPAddress; useragent = $r.userAgent; errorcode = $null
                requestparameters = ($r.requestParameters | ConvertTo-Json -Depth 10 -Compress); responseelements = ($r.responseElements | ConvertTo-Json -Depth 10 -Compress)
            }
        }
        @($rows[0].PSObject.Properties.Name) | Should -Be @($sqlColumns)
        $rows | Export-Csv $csv -NoTypeInformation
        $fields = 'GroupName', 'OpenedBy', 'OpenedByType', 'OpenedByIssuer', 'OpenedAt', 'OpenedFrom', 'OpenedWith', 'LastChangedAt', 'ProvenanceNote'
        $fromRaw = @(Get-OpenIngressRule @script:Conn -CloudTrailPath $raw | Select-Object $fields | ConvertTo-Json -Compress)
        $fromAthena = @(Get-OpenIngressRule @script:Conn -CloudTrailResultPath $csv | Select-Object $fields | ConvertTo-Json -Compress)
        $fromAthena | Should -Be $fromRaw
        @(($fromRaw | ConvertFrom-Json) | Where-Object OpenedBy).Count | Should -Be 4
    }

    It 'keeps who opened a rule in its record' {
        $path = Join-Path $TestDrive 'record.jsonl'
        Get-OpenIngressRule @script:Conn -CloudTrailUri s3://trail | Export-IngressAudit -Path $path | Out-Null
        $line = Get-Content $path | ConvertFrom-Json | Where-Object GroupName -eq 'web'
        $line.OpenedBy | Should -Be "arn:aws:sts::$($script:Own):assumed-role/Admin/alice"
        (Get-Content $path | Where-Object { $_ -match '"GroupName":"web"' }) | Should -Match '"OpenedAt":"2026-12-05T09:15:01Z"'
    }
}
