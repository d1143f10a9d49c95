# Shared by the Pester tests: where the built module is, and the servers on 127.0.0.1 the tests start.
Set-StrictMode -Version 3.0
$script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-RepoRoot { $script:Root }

function Get-NuGetCache {
    # Where test-only packages (tests/tools/TestTools.csproj) were restored.
    $line = & dotnet nuget locals global-packages --list
    ($line -replace '^global-packages:\s*', '').Trim()
}

function Get-BuiltModulePath {
    $path = Join-Path $script:Root 'out/SgNarrower/SgNarrower.psd1'
    if (-not (Test-Path $path)) { throw "The module is not built: run ./build.ps1 -Task Build first ($path)." }
    $path
}

function Set-TestAwsEnvironment {
    # Credentials for signing only: the endpoints are ours, on 127.0.0.1. Metadata lookups are off.
    $env:AWS_ACCESS_KEY_ID = 'AKIDSGNARROWERTEST'
    $env:AWS_SECRET_ACCESS_KEY = 'sgnarrower-test-secret'
    $env:AWS_EC2_METADATA_DISABLED = 'true'
    Remove-Item Env:AWS_SESSION_TOKEN, Env:AWS_PROFILE -ErrorAction Ignore
}

function Start-TestEc2 {
    $dll = Join-Path $script:Root 'tests/TestEc2Server/bin/Release/net10.0/TestEc2Server.dll'
    if (-not (Test-Path $dll)) {
        & dotnet build (Join-Path $script:Root 'tests/TestEc2Server/TestEc2Server.csproj') -c Release --nologo -v quiet | Out-Null
        if ($LASTEXITCODE -ne 0) { throw 'Could not build the test EC2 server.' }
    }
    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet', "`"$dll`"")
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $line = $process.StandardOutput.ReadLine()
    if ($line -notmatch '^LISTENING (http://127\.0\.0\.1:\d+/)$') { $process.Kill(); throw "The test EC2 server did not start: $line" }
    # The same server stands in for STS and the IAM Identity Center portal, reached the AWS way: by endpoint variables.
    $env:AWS_ENDPOINT_URL_STS = $Matches[1]
    $env:AWS_ENDPOINT_URL_SSO = $Matches[1]
    [pscustomobject]@{ Url = $Matches[1]; Process = $process }
}

function Stop-TestEc2 {
    param($Server)
    if ($Server -and -not $Server.Process.HasExited) {
        $Server.Process.StandardInput.Close()
        if (-not $Server.Process.WaitForExit(5000)) { $Server.Process.Kill() }
    }
}

function Set-TestWorld {
    param($Server, [hashtable] $World)
    Invoke-RestMethod -Method Post -Uri "$($Server.Url)_control/world" -Body ($World | ConvertTo-Json -Depth 20) -ContentType 'application/json' | Out-Null
}

function Get-TestWorld {
    param($Server)
    Invoke-RestMethod -Uri "$($Server.Url)_control/world"
}

function Get-TestCalls {
    param($Server, [string] $Action)
    # Invoke-RestMethod writes a JSON array as one object; enumerate it.
    $calls = @(Invoke-RestMethod -Uri "$($Server.Url)_control/calls" | ForEach-Object { $_ })
    if ($Action) { $calls = @($calls | Where-Object action -eq $Action) }
    $calls
}

function Get-TestStsCalls {
    param($Server)
    @(Invoke-RestMethod -Uri "$($Server.Url)_control/sts-calls" | ForEach-Object { $_ })
}

function Reset-TestCalls {
    param($Server)
    Invoke-RestMethod -Method Post -Uri "$($Server.Url)_control/calls/reset" | Out-Null
}

function Add-TestFault {
    # -LostReply: the call is applied, then the connection drops before the answer (the SDK retries it).
    param($Server, [string] $Action, [string] $Code = 'InternalError', [int] $Status = 400, [int] $Times = -1, [string] $GroupId, [string] $Region, [string] $Message = 'Injected fault',
        [switch] $LostReply, [double] $Probability = 1.0, [int] $Seed = 1)
    $body = @{ action = $Action; code = $Code; status = $Status; times = $Times; message = $Message; lostReply = [bool]$LostReply; probability = $Probability; seed = $Seed }
    if ($GroupId) { $body.groupId = $GroupId }
    if ($Region) { $body.region = $Region }
    Invoke-RestMethod -Method Post -Uri "$($Server.Url)_control/faults" -Body ($body | ConvertTo-Json) -ContentType 'application/json' | Out-Null
}

function Remove-TestRule {
    param($Server, [string] $Region = 'us-east-1', [string[]] $RuleId)
    Invoke-RestMethod -Method Post -Uri "$($Server.Url)_control/delete-rules" -Body (@{ region = $Region; ruleIds = @($RuleId) } | ConvertTo-Json) -ContentType 'application/json' | Out-Null
}

function Set-TestRuleInPlace {
    # Another admin edits a rule in place (ModifySecurityGroupRules): same id, same tags, new source or description.
    param($Server, [string] $Region = 'us-east-1', [string] $RuleId, [string] $CidrIpv4, [string] $CidrIpv6, [string] $Description)
    $body = @{ region = $Region; ruleId = $RuleId }
    if ($CidrIpv4) { $body.cidrIpv4 = $CidrIpv4 }
    if ($CidrIpv6) { $body.cidrIpv6 = $CidrIpv6 }
    if ($Description) { $body.description = $Description }
    Invoke-RestMethod -Method Post -Uri "$($Server.Url)_control/modify-rule" -Body ($body | ConvertTo-Json) -ContentType 'application/json' | Out-Null
}

function Remove-TestGroup {
    param($Server, [string] $Region = 'us-east-1', [string] $GroupId)
    Invoke-RestMethod -Method Post -Uri "$($Server.Url)_control/delete-group" -Body (@{ region = $Region; groupId = $GroupId } | ConvertTo-Json) -ContentType 'application/json' | Out-Null
}

function Invoke-TestEc2Action {
    # Another admin's EC2 call (the Query API, as the CLI sends it), for changes made behind the module's back.
    param($Server, [string] $Region = 'us-east-1', [hashtable] $Parameters)
    $body = (@{ Version = '2016-11-15' } + $Parameters).GetEnumerator() | ForEach-Object { [uri]::EscapeDataString($_.Key) + '=' + [uri]::EscapeDataString([string]$_.Value) }
    $auth = "AWS4-HMAC-SHA256 Credential=AKIDOTHERADMIN/$([DateTime]::UtcNow.ToString('yyyyMMdd'))/$Region/ec2/aws4_request, SignedHeaders=host, Signature=0"
    Invoke-RestMethod -Method Post -Uri $Server.Url -Body ($body -join '&') -ContentType 'application/x-www-form-urlencoded' -Headers @{ Authorization = $auth }
}

function New-TestGroup {
    param([string] $GroupId, [string] $Name = $GroupId, [string] $VpcId = 'vpc-1', [hashtable] $Tags = @{}, [object[]] $Rules = @(), [switch] $DefaultVpc)
    @{ groupId = $GroupId; groupName = $Name; vpcId = $VpcId; tags = $Tags; rules = @($Rules); defaultVpc = [bool]$DefaultVpc }
}

function New-TestRule {
    param([string] $Protocol = 'tcp', [int] $From = -1, [int] $To = -1, [string] $Cidr, [string] $Description, [string] $RuleId, [hashtable] $Tags = @{}, [string] $ReferencedGroupId, [switch] $Egress)
    $r = @{ ipProtocol = $Protocol; fromPort = $From; toPort = $To; tags = $Tags; egress = [bool]$Egress }
    if ($Cidr -and $Cidr.Contains(':')) { $r.cidrIpv6 = $Cidr } elseif ($Cidr) { $r.cidrIpv4 = $Cidr }
    if ($Description) { $r.description = $Description }
    if ($RuleId) { $r.ruleId = $RuleId }
    if ($ReferencedGroupId) { $r.referencedGroupId = $ReferencedGroupId }
    $r
}

function Invoke-ChildPwsh {
    # Runs a script in a fresh pwsh (same local tool as the tests) and returns its output lines.
    param([string] $Script)
    Push-Location $script:Root
    try {
        # Plain text: colour escapes in a child's output would end up in test messages and reports.
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("`$PSStyle.OutputRendering = 'PlainText'`n" + $Script))
        & dotnet tool run pwsh -- -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1
    }
    finally { Pop-Location }
}


function Start-TestS3 {
    # s3rver from npm, on 127.0.0.1 on a free port, with an 'audit' bucket; data in a fresh folder.
    $bin = Join-Path $script:Root 'tests/s3/node_modules/s3rver/bin/s3rver.js'
    if (-not (Test-Path $bin)) { throw 's3rver is not installed: run ./build.ps1 -Task Test (it runs npm ci in tests/s3).' }
    $data = Join-Path ([IO.Path]::GetTempPath()) ("sgn-s3-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $data | Out-Null
    $psi = [System.Diagnostics.ProcessStartInfo]::new('node')
    foreach ($a in $bin, '-d', $data, '-a', '127.0.0.1', '-p', '0', '--configure-bucket', 'audit') { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    $url = $null
    while (-not $url -and [DateTime]::UtcNow -lt $deadline) {
        $line = $process.StandardOutput.ReadLine()
        if ($null -eq $line) { break }
        if ($line -match 'listening on (127\.0\.0\.1):(\d+)') { $url = "http://127.0.0.1:$($Matches[2])" }
    }
    if (-not $url) { $process.Kill(); throw 's3rver did not start.' }
    # Keep draining its log so that it never blocks on a full pipe.
    $null = $process.StandardOutput.ReadToEndAsync()
    $null = $process.StandardError.ReadToEndAsync()
    [pscustomobject]@{ Url = $url; Process = $process; Data = $data; AccessKey = 'S3RVER'; SecretKey = 'S3RVER' }
}

function Stop-TestS3 {
    param($Server)
    if ($Server) {
        if (-not $Server.Process.HasExited) { $Server.Process.Kill(); $Server.Process.WaitForExit(5000) | Out-Null }
        Remove-Item $Server.Data -Recurse -Force -ErrorAction Ignore
    }
}

function Get-TestS3Object {
    # A plain HTTP GET of the stored object, independent of the module: the bytes as stored.
    param($Server, [string] $Bucket, [string] $Key)
    $escaped = ($Key -split '/' | ForEach-Object { [uri]::EscapeDataString($_) }) -join '/'
    $client = [System.Net.Http.HttpClient]::new()
    try { , $client.GetByteArrayAsync("$($Server.Url)/$Bucket/$escaped").GetAwaiter().GetResult() }
    finally { $client.Dispose() }
}

function Set-TestS3Fault {
    param($Server, [string] $Code, [int] $Status)
    Invoke-RestMethod -Method Post -Uri "$($Server.Url)_control/s3-fault" -Body (@{ code = $Code; status = $Status; message = "Injected $Code" } | ConvertTo-Json) -ContentType 'application/json' | Out-Null
}


function Export-TestNetwork {
    # Saves a region's network interfaces and route tables as 'aws ec2 describe-network-interfaces' and
    # 'describe-route-tables' print them; returns both lists.
    param($Server, [string] $Region, [string] $InterfacesPath, [string] $RouteTablesPath)
    $spec = (Get-TestWorld $Server).regions.$Region
    function V($Object, [string] $Name) { $p = $Object.PSObject.Properties[$Name]; if ($p) { $p.Value } }
    $interfaces = @((V $spec networkInterfaces) | ForEach-Object {
        $ni = [ordered]@{ NetworkInterfaceId = (V $_ networkInterfaceId); SubnetId = (V $_ subnetId); VpcId = (V $_ vpcId); InterfaceType = (V $_ interfaceType); Description = "$((V $_ description))"
                          Groups = @((V $_ groups) | ForEach-Object { @{ GroupId = $_; GroupName = $_ } })
                          PrivateIpAddress = (V $_ privateIp); PrivateIpAddresses = @(@{ PrivateIpAddress = (V $_ privateIp); Primary = $true })
                          Ipv6Addresses = @((V $_ ipv6Addresses) | ForEach-Object { @{ Ipv6Address = $_ } }) }
        if ((V $_ instanceId)) { $ni.Attachment = @{ InstanceId = (V $_ instanceId); Status = 'attached' } }
        if ((V $_ publicIp)) { $ni.Association = @{ PublicIp = (V $_ publicIp) }; $ni.PrivateIpAddresses[0].Association = @{ PublicIp = (V $_ publicIp) } }
        $ni
    })
    $tables = @((V $spec routeTables) | ForEach-Object {
        $t = $_
        [ordered]@{ RouteTableId = (V $t routeTableId); VpcId = (V $t vpcId)
                    Associations = @(@(if ((V $t main)) { @{ Main = $true; RouteTableId = (V $t routeTableId) } }) + @((V $t subnets) | ForEach-Object { @{ Main = $false; SubnetId = $_ } }))
                    Routes = @((V $t routes).PSObject.Properties | ForEach-Object {
                        $r = [ordered]@{ State = 'active' }
                        if ($_.Name.Contains(':')) { $r.DestinationIpv6CidrBlock = $_.Name } else { $r.DestinationCidrBlock = $_.Name }
                        if ($_.Value -like 'nat-*') { $r.NatGatewayId = $_.Value } elseif ($_.Value -like 'eigw-*') { $r.EgressOnlyInternetGatewayId = $_.Value } else { $r.GatewayId = $_.Value }
                        $r }) }
    })
    @{ NetworkInterfaces = $interfaces } | ConvertTo-Json -Depth 8 | Set-Content $InterfacesPath
    @{ RouteTables = $tables } | ConvertTo-Json -Depth 8 | Set-Content $RouteTablesPath
    , $interfaces
    , $tables
}

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Start-TestMoto {
    # moto (an independent emulator) on 127.0.0.1 on a free port, through tests/moto/server.py, which patches
    # moto where it differs from AWS's documented behaviour.
    $launcher = Join-Path $script:Root 'tests/moto/server.py'
    for ($attempt = 1; $attempt -le 3; $attempt++) {
        $port = Get-FreeTcpPort
        $psi = [System.Diagnostics.ProcessStartInfo]::new('python3')
        foreach ($a in $launcher, "$port") { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        foreach ($name in @($psi.Environment.Keys | Where-Object { $_ -like 'AWS_*' })) { $psi.Environment.Remove($name) | Out-Null }
        $process = [System.Diagnostics.Process]::Start($psi)
        $null = $process.StandardOutput.ReadToEndAsync()
        $null = $process.StandardError.ReadToEndAsync()
        $url = "http://127.0.0.1:$port"
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        $client = [System.Net.Http.HttpClient]::new()
        try {
            while ([DateTime]::UtcNow -lt $deadline -and -not $process.HasExited) {
                try {
                    $answer = $client.GetAsync("$url/moto-api/").GetAwaiter().GetResult()
                    if ([int]$answer.StatusCode -lt 500) { return [pscustomobject]@{ Url = $url; Process = $process } }
                }
                catch { Start-Sleep -Milliseconds 200 }
            }
        }
        finally { $client.Dispose() }
        if (-not $process.HasExited) { $process.Kill() }
    }
    throw 'moto did not start (python3 tests/moto/server.py PORT).'
}

function Stop-TestMoto {
    param($Server)
    if ($Server -and -not $Server.Process.HasExited) { $Server.Process.Kill(); $Server.Process.WaitForExit(5000) | Out-Null }
}

function Reset-TestMoto {
    param($Server)
    $client = [System.Net.Http.HttpClient]::new()
    try { $null = $client.PostAsync("$($Server.Url)/moto-api/reset", [System.Net.Http.StringContent]::new('')).GetAwaiter().GetResult().EnsureSuccessStatusCode() }
    finally { $client.Dispose() }
}

function Invoke-MotoWorld {
    # tests/moto/world.py: sets up and reads moto's state through boto3, never through the module.
    param($Server, [string] $Command, $Request)
    $json = $Request | ConvertTo-Json -Depth 10 -Compress
    $answer = $json | & python3 (Join-Path $script:Root 'tests/moto/world.py') $Server.Url $Command
    if ($LASTEXITCODE -ne 0) { throw "tests/moto/world.py $Command failed (exit code $LASTEXITCODE)." }
    $answer | ConvertFrom-Json
}

function Set-MotoWorld {
    # Resets moto, then creates the groups (and buckets) given: @{ '123456789012' = @{ 'us-east-2' = @(@{ name = 'web'; rules = @(...) }) } }.
    # Returns a hashtable 'account/region/name' -> group id.
    # -Buckets: names, or @{ name; account } for a bucket of another account. -Keys: KMS keys that sign records,
    # @{ alias = 'alias/x'; spec = 'ECC_NIST_P256' | 'HMAC_256' }; the answer maps 'kms/<alias>' to the key's ARN.
    param($Server, [hashtable] $Accounts, [object[]] $Buckets = @(), [hashtable[]] $Keys = @())
    Reset-TestMoto $Server
    $answer = Invoke-MotoWorld $Server 'seed' @{ accounts = $Accounts; buckets = @($Buckets | ForEach-Object { if ($_ -is [string]) { @{ name = $_ } } else { $_ } }); keys = @($Keys) }
    $ids = @{}
    foreach ($p in $answer.PSObject.Properties) { $ids[$p.Name] = $p.Value }
    $ids
}

function Get-MotoRules {
    param($Server, [string[]] $Account = @('123456789012'), [string[]] $Region)
    @(Invoke-MotoWorld $Server 'rules' @{ accounts = @($Account); regions = @($Region) })
}

function Format-MotoRule {
    # A rule as comparable text, without its id: group name, protocol, ports, source, description.
    process { "$($_.Account)/$($_.Region)/$($_.GroupName) $($_.IpProtocol) $($_.FromPort)-$($_.ToPort) $($_.CidrIpv4)$($_.CidrIpv6)$($_.PrefixListId)$($_.ReferencedGroupId) '$($_.Description)'" }
}

function ConvertTo-FlowLogAggregate {
    # What sql/flow-log-aggregate.sql computes in Athena, over local flow-log files in AWS's layout, written as Athena
    # writes a result (CSV, a header, every value quoted): the tests' stand-in for Athena. The table's columns are the
    # default format's, by position; "$path" gives the region.
    param([string] $Path, [DateTimeOffset] $Since, [DateTimeOffset] $Until, [string] $OutFile)
    $from = $Since.ToUnixTimeSeconds(); $to = $Until.ToUnixTimeSeconds()
    $rows = [ordered]@{}
    foreach ($file in Get-ChildItem $Path -Recurse -File | Where-Object { $_.Name -like '*.log' -or $_.Name -like '*.log.gz' } | Sort-Object FullName) {
        $region = if ($file.FullName -match '/vpcflowlogs/([^/]+)/') { $Matches[1] } else { $null }
        $text = if ($file.Name -like '*.gz') {
            $gz = [IO.Compression.GZipStream]::new([IO.File]::OpenRead($file.FullName), [IO.Compression.CompressionMode]::Decompress)
            try { [IO.StreamReader]::new($gz).ReadToEnd() } finally { $gz.Dispose() }
        } else { [IO.File]::ReadAllText($file.FullName) }
        foreach ($line in ($text -split "`n" | Select-Object -Skip 1)) {
            $f = $line.Trim() -split ' +'
            if ($f.Count -lt 14) { continue }
            # WHERE start >= since AND start <= until AND action = 'ACCEPT' AND log_status = 'OK'
            $start = 0L
            if (-not [long]::TryParse($f[10], [ref] $start) -or $start -lt $from -or $start -gt $to) { continue }
            if ($f[12] -ne 'ACCEPT' -or $f[13] -ne 'OK') { continue }
            # GROUP BY account_id, region, interface_id, protocol, dstport, srcaddr, dstaddr
            $key = ($f[1], $region, $f[2], $f[7], $f[6], $f[3], $f[4]) -join '|'
            if (-not $rows.Contains($key)) { $rows[$key] = @{ Values = @($f[1], $region, $f[2], $f[7], $f[6], $f[3], $f[4]); Flows = 0L; Packets = 0L } }
            $rows[$key].Flows++
            $packets = 0L
            if ([long]::TryParse($f[8], [ref] $packets)) { $rows[$key].Packets += $packets }
        }
    }
    $out = [System.Collections.Generic.List[string]]::new()
    $out.Add('"account_id","region","interface_id","protocol","dstport","srcaddr","dstaddr","flows","packets"')
    foreach ($r in $rows.Values) { $out.Add((@($r.Values) + @("$($r.Flows)", "$($r.Packets)") | ForEach-Object { '"' + $_ + '"' }) -join ',') }
    [IO.File]::WriteAllLines($OutFile, $out)
}

function New-TestRecordLine {
    # One line of an audit record as Export-IngressAudit writes it (format version 1), from a hashtable of rule fields;
    # quick enough for records of 100,000 rules.
    param([string] $RunId, [string] $RecordedAt, [hashtable] $Rule)
    $sb = [System.Text.StringBuilder]::new(400)
    [void]$sb.Append('{"RecordType":"Rule","FormatVersion":1,"RunId":"').Append($RunId).Append('","RecordedAt":"').Append($RecordedAt).Append('","Tool":"SgNarrower/test"')
    foreach ($k in 'OwnerId', 'Region', 'VpcId', 'GroupId', 'GroupName', 'SecurityGroupRuleId', 'IpProtocol', 'FromPort', 'ToPort', 'CidrIpv4', 'CidrIpv6', 'Description', 'Status', 'Error', 'Exposure', 'NetworkInterfaceCount', 'Recommendation', 'RecommendationReason', 'ObservedSourceCount') {
        if (-not $Rule.ContainsKey($k) -or $null -eq $Rule[$k]) { continue }
        $v = $Rule[$k]
        [void]$sb.Append(',"').Append($k).Append('":')
        if ($v -is [int]) { [void]$sb.Append($v) } else { [void]$sb.Append('"').Append(($v -replace '\\', '\\' -replace '"', '\"')).Append('"') }
    }
    if ($Rule.ContainsKey('ReplaceWith')) { [void]$sb.Append(',"ReplaceWith":["').Append(($Rule.ReplaceWith -join '","')).Append('"]') }
    [void]$sb.Append(',"Tags":{},"GroupTags":{}}')
    $sb.ToString()
}

function Invoke-ReportCheck {
    # Opens a report in headless Chromium (tests/browser/check-report.mjs) and returns what it saw; screenshots are
    # kept in out/TestResults/report-screenshots.
    param([string] $Path, [string] $Name, [string[]] $Needle = @())
    $script = Join-Path $script:Root 'tests/browser/check-report.mjs'
    $shots = Join-Path $script:Root 'out/TestResults/report-screenshots'
    $arguments = @($script, $Path, $shots, '--name', $Name)
    foreach ($n in $Needle) { $arguments += '--needle', $n }
    $json = & node @arguments
    if ($LASTEXITCODE -ne 0) { throw "The browser check of $Path failed (exit code $LASTEXITCODE)." }
    $json | ConvertFrom-Json
}

Export-ModuleMember -Function *
