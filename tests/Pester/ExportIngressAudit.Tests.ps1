BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:S3 = Start-TestS3
    $script:Ec2 = Start-TestEc2
    $script:S3Args = @{ EndpointUrl = $script:S3.Url; AccessKey = $script:S3.AccessKey; SecretKey = $script:S3.SecretKey; Region = 'us-east-1' }
    Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(
        New-TestGroup sg-web -Name web -Tags @{ team = 'web' } -Rules @(
            (New-TestRule tcp 443 443 '0.0.0.0/0' 'HTTPS, "quoted", comma' -Tags @{ owner = 'ops' }),
            (New-TestRule tcp 22 22 '::/0'),
            (New-TestRule '-1' -1 -1 '0.0.0.0/0' "multi`nline"),
            (New-TestRule icmp 8 -1 '0.0.0.0/0'))
    ) } } }
    function script:Get-Rules { Get-OpenIngressRule -Region us-east-1 -EndpointUrl $script:Ec2.Url }
    function script:Compare-Rule($Expected, $Actual) {
        foreach ($p in 'Region', 'OwnerId', 'VpcId', 'GroupId', 'GroupName', 'SecurityGroupRuleId', 'IpProtocol', 'FromPort', 'ToPort', 'CidrIpv4', 'CidrIpv6', 'Description') {
            "$($Actual.$p)" | Should -Be "$($Expected.$p)" -Because $p
        }
        ($Actual.Tags | ConvertTo-Json -Compress) | Should -Be ($Expected.Tags | ConvertTo-Json -Compress)
    }
}
AfterAll {
    Stop-TestS3 $script:S3
    Stop-TestEc2 $script:Ec2
}

Describe 'Export-IngressAudit to S3 (s3rver)' {
    It 'writes a complete record, passes the rules on stamped, and the record reads back byte for byte into the same rules' {
        $rules = @(Get-Rules)
        $rules.Count | Should -Be 4
        $info = $null
        $passed = @($rules | Export-IngressAudit -PassThru -BucketName audit @script:S3Args -ServerSideEncryption None -InformationVariable info)
        $passed.Count | Should -Be 4
        $passed[0].GetType().FullName | Should -Be 'SgNarrower.OpenIngressRule'
        $passed[0].AuditUri | Should -Match '^s3://audit/sgnarrower-audit/\d{4}/\d{2}/\d{2}/ingress-audit-.+\.jsonl$'
        $passed[0].AuditRunId | Should -Not -BeNullOrEmpty
        ($info.MessageData.Message -join "`n") | Should -Match 'Recorded 4 rule\(s\).*s3://audit/'

        $key = $passed[0].AuditUri.Substring('s3://audit/'.Length)
        $bytes = Get-TestS3Object $script:S3 audit $key
        $lines = [Text.Encoding]::UTF8.GetString($bytes).TrimEnd("`n") -split "`n"
        $lines.Count | Should -Be 4
        $records = $lines | ConvertFrom-Json
        $records | ForEach-Object {
            $_.RecordType | Should -Be 'Rule'
            $_.FormatVersion | Should -Be 1
            $_.RunId | Should -Be $passed[0].AuditRunId
            $_.Tool | Should -Match '^SgNarrower/\d+\.\d+\.\d+$'
        }
        $lines | ForEach-Object { $_ | Should -Match '"RecordedAt":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"' }
        for ($i = 0; $i -lt 4; $i++) {
            $back = $records | Where-Object SecurityGroupRuleId -eq $rules[$i].SecurityGroupRuleId
            $back.Tags = @{} + ($back.Tags.PSObject.Properties | ForEach-Object -Begin { $h = @{} } -Process { $h[$_.Name] = $_.Value } -End { $h })
            Compare-Rule $rules[$i] $back
        }
    }

    It 'sends the record whole, not chunk-framed, with matching checksums' {
        $summary = Get-Rules | Export-IngressAudit -BucketName audit @script:S3Args -ServerSideEncryption None -Summary
        $summary.GetType().FullName | Should -Be 'SgNarrower.IngressAuditSummary'
        $summary.RuleCount | Should -Be 4
        $bytes = Get-TestS3Object $script:S3 audit $summary.Key
        $text = [Text.Encoding]::UTF8.GetString($bytes)
        $text | Should -Not -Match 'chunk-signature'
        $text.StartsWith('{"RecordType":"Rule"') | Should -BeTrue
        $sha = [Security.Cryptography.SHA256]::HashData($bytes)
        (($sha | ForEach-Object { $_.ToString('x2') }) -join '') | Should -Be $summary.Sha256
        $summary.ETag.Trim('"') | Should -Be (([Security.Cryptography.MD5]::HashData($bytes) | ForEach-Object { $_.ToString('x2') }) -join '')
    }

    It 'uses a new key for every run' {
        $a = Get-Rules | Export-IngressAudit -BucketName audit @script:S3Args -ServerSideEncryption None -KeyPrefix 'runs' -Summary
        $b = Get-Rules | Export-IngressAudit -BucketName audit @script:S3Args -ServerSideEncryption None -KeyPrefix 'runs' -Summary
        $a.Key | Should -Not -Be $b.Key
        $a.Key | Should -BeLike 'runs/*'
    }

    It 'records an empty run as one Run line with RuleCount 0, and passes nothing on' {
        $info = $null
        $out = @(@() | Export-IngressAudit -PassThru -BucketName audit @script:S3Args -ServerSideEncryption None -InformationVariable info)
        $out.Count | Should -Be 0
        ($info.MessageData.Message -join '') | Should -Match 'Recorded 0 rule\(s\)'
        $key = ([regex]::Match(($info.MessageData.Message -join ''), 's3://audit/(\S+?)\.?$')).Groups[1].Value
        $line = [Text.Encoding]::UTF8.GetString((Get-TestS3Object $script:S3 audit $key)) | ConvertFrom-Json
        $line.RecordType | Should -Be 'Run'
        $line.RuleCount | Should -Be 0
    }

    It 'records Import-Csv rows and passes them on with AuditUri' {
        $csv = Join-Path $TestDrive 'rules.csv'
        Get-Rules | Select-Object GroupId, SecurityGroupRuleId, Region, IpProtocol, FromPort, ToPort, CidrIpv4, CidrIpv6, Description | Export-Csv $csv
        $rows = @(Import-Csv $csv | Export-IngressAudit -PassThru -BucketName audit @script:S3Args -ServerSideEncryption None)
        $rows.Count | Should -Be 4
        $rows[0].AuditUri | Should -BeLike 's3://audit/*'
        $rows[0].FromPort | Should -BeOfType [string]   # passed on as it came
    }

    It 'never changes the objects the caller holds: the rows passed on are copies' {
        $csv = Join-Path $TestDrive 'held.csv'
        Get-Rules | Select-Object GroupId, SecurityGroupRuleId, Region, IpProtocol, FromPort, ToPort, CidrIpv4, CidrIpv6, Description | Export-Csv $csv
        $held = @(Import-Csv $csv)
        $passed = @($held | Export-IngressAudit -PassThru -Path (Join-Path $TestDrive 'held.jsonl'))
        $passed | ForEach-Object { $_.AuditUri | Should -BeLike '*held.jsonl' }
        $held | ForEach-Object { $_.PSObject.Properties['AuditUri'] | Should -BeNullOrEmpty; $_.PSObject.Properties['AuditRunId'] | Should -BeNullOrEmpty }
        $rules = @(Get-Rules)
        $null = $rules | Export-IngressAudit -PassThru -Path (Join-Path $TestDrive 'held2.csv')
        $rules | ForEach-Object { $_.AuditUri | Should -BeNullOrEmpty }
    }

    It 'passes nothing on and writes nothing with -WhatIf' {
        $before = @(Get-ChildItem $script:S3.Data -Recurse -File).Count
        $out = @(Get-Rules | Export-IngressAudit -PassThru -BucketName audit @script:S3Args -WhatIf)
        $out.Count | Should -Be 4
        $out | ForEach-Object { $_.AuditUri | Should -BeNullOrEmpty }
        @(Get-ChildItem $script:S3.Data -Recurse -File).Count | Should -Be $before
    }
}

Describe 'Export-IngressAudit S3 request' {
    It 'is conditional, encrypted, owner-checked and checksummed, with the body sent whole' {
        Invoke-RestMethod -Method Post -Uri "$($script:Ec2.Url)_control/s3-fault/clear" | Out-Null
        $summary = Get-Rules | Export-IngressAudit -BucketName audit -Region us-east-1 -EndpointUrl $script:Ec2.Url -ExpectedBucketOwner 123456789012 -Summary
        $last = (Invoke-RestMethod "$($script:Ec2.Url)_control/s3-requests").last
        $last.Method | Should -Be 'PUT'
        $last.Path | Should -Be "/audit/$($summary.Key)"
        $h = $last.Headers
        $h.'if-none-match' | Should -Be '*'
        $h.'x-amz-server-side-encryption' | Should -Be 'AES256'
        $h.'x-amz-expected-bucket-owner' | Should -Be '123456789012'
        $h.'content-md5' | Should -Not -BeNullOrEmpty
        $h.'x-amz-checksum-sha256' | Should -Not -BeNullOrEmpty
        $h.'content-encoding' | Should -Not -BeLike '*aws-chunked*'
        $bytes = [Text.Encoding]::UTF8.GetBytes($last.Body)
        $h.'content-md5' | Should -Be ([Convert]::ToBase64String([Security.Cryptography.MD5]::HashData($bytes)))
        $h.'x-amz-checksum-sha256' | Should -Be ([Convert]::ToBase64String([Security.Cryptography.SHA256]::HashData($bytes)))
        $summary.Sha256 | Should -Be ((([Security.Cryptography.SHA256]::HashData($bytes)) | ForEach-Object { $_.ToString('x2') }) -join '')
    }

    It 'asks for aws:kms with the key given' {
        Get-Rules | Export-IngressAudit -BucketName audit -Region us-east-1 -EndpointUrl $script:Ec2.Url -KmsKeyId alias/audit -Summary | Out-Null
        $h = (Invoke-RestMethod "$($script:Ec2.Url)_control/s3-requests").last.Headers
        $h.'x-amz-server-side-encryption' | Should -Be 'aws:kms'
        $h.'x-amz-server-side-encryption-aws-kms-key-id' | Should -Be 'alias/audit'
    }
}

Describe 'Export-IngressAudit failures stop the pipeline before a single rule moves on' {
    BeforeEach { $script:downstream = 0 }

    It 'bucket missing' {
        $err = { Get-Rules | Export-IngressAudit -BucketName no-such-bucket @script:S3Args -ServerSideEncryption None | ForEach-Object { $script:downstream++ } } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'AuditBucketNotFound,*'
        $err.Exception.Message | Should -BeLike '*nothing was passed on*'
        $script:downstream | Should -Be 0
    }

    It 'access denied names s3:PutObject' {
        Set-TestS3Fault $script:Ec2 AccessDenied 403
        $err = { Get-Rules | Export-IngressAudit -BucketName audit -Region us-east-1 -EndpointUrl $script:Ec2.Url | ForEach-Object { $script:downstream++ } } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'AccessDenied,*'
        $err.Exception.Message | Should -BeLike '*s3:PutObject*'
        $script:downstream | Should -Be 0
    }

    It 'server answering 500, after retries' {
        Set-TestS3Fault $script:Ec2 InternalError 500
        $before = (Invoke-RestMethod "$($script:Ec2.Url)_control/s3-requests").count
        $err = { Get-Rules | Export-IngressAudit -BucketName audit -Region us-east-1 -EndpointUrl $script:Ec2.Url | ForEach-Object { $script:downstream++ } } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'AwsError.InternalError,*'
        ((Invoke-RestMethod "$($script:Ec2.Url)_control/s3-requests").count - $before) | Should -BeGreaterThan 1
        $script:downstream | Should -Be 0
    }

    It 'server down, while the local record that was written stays whole' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $listener.Start()
        $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $file = Join-Path $TestDrive 'down.jsonl'
        $err = { Get-Rules | Export-IngressAudit -BucketName audit -Region us-east-1 -EndpointUrl "http://127.0.0.1:$port" -AccessKey a -SecretKey b -Path $file | ForEach-Object { $script:downstream++ } } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'EndpointUnreachable,*'
        $err.Exception.Message | Should -BeLike "*local record*$file*stays*"
        $script:downstream | Should -Be 0
        @(Get-Content $file).Count | Should -Be 4
    }

    It 'needs a destination, and stops on setup errors before reading input' {
        { Get-Rules | Export-IngressAudit } | Should -Throw -ErrorId 'NoDestination,SgNarrower.Commands.ExportIngressAuditCommand'
        { Get-Rules | Export-IngressAudit -Path x.jsonl -Key k } | Should -Throw -ErrorId 'ParameterConflict,SgNarrower.Commands.ExportIngressAuditCommand'
    }
}

Describe 'Export-IngressAudit to a local file' {
    BeforeEach { $script:downstream = 0 }

    It 'writes JSON Lines into a folder under a per-run name' {
        $dir = Join-Path $TestDrive 'records'; New-Item -ItemType Directory $dir | Out-Null
        $out = @(Get-Rules | Export-IngressAudit -PassThru -Path $dir)
        $out[0].AuditUri | Should -BeLike "$dir*ingress-audit-*.jsonl"
        @(Get-Content $out[0].AuditUri).Count | Should -Be 4
        @(Get-ChildItem $dir -Force).Count | Should -Be 1   # no temporary file left behind
    }

    It 'writes CSV that Import-Csv reads back into the same rules' {
        $file = Join-Path $TestDrive 'rules.csv'
        $rules = @(Get-Rules)
        $rules | Export-IngressAudit -Path $file -Format Csv | Out-Null
        $rows = @(Import-Csv $file)
        $rows.Count | Should -Be 4
        for ($i = 0; $i -lt 4; $i++) {
            $row = $rows | Where-Object SecurityGroupRuleId -eq $rules[$i].SecurityGroupRuleId
            $row.Tags = $row.Tags | ConvertFrom-Json -AsHashtable
            Compare-Rule $rules[$i] $row
        }
    }

    It 'writes CSV to a file named .csv without -Format, and JSON Lines when -Format says so' {
        $csv = Join-Path $TestDrive 'named.csv'
        Get-Rules | Export-IngressAudit -Path $csv | Out-Null
        (Get-Content $csv -First 1) | Should -BeLike 'RecordType,FormatVersion,RunId,*'
        @(Import-Csv $csv).Count | Should -Be 4
        $jsonl = Join-Path $TestDrive 'forced.csv'
        Get-Rules | Export-IngressAudit -Path $jsonl -Format JsonLines | Out-Null
        (Get-Content $jsonl -First 1 | ConvertFrom-Json).RecordType | Should -Not -BeNullOrEmpty
        { Get-Rules | Export-IngressAudit -Path (Join-Path $TestDrive 'x.csv') -BucketName audit -Key 'x.jsonl' @script:S3Args } |
            Should -Throw -ErrorId 'ParameterConflict,SgNarrower.Commands.ExportIngressAuditCommand'
        Test-Path (Join-Path $TestDrive 'x.csv') | Should -BeFalse
    }

    It 'does not overwrite an existing file unless asked, and leaves it unchanged' {
        $file = Join-Path $TestDrive 'exists.jsonl'
        Set-Content $file 'earlier record'
        $err = { Get-Rules | Export-IngressAudit -Path $file | ForEach-Object { $script:downstream++ } } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'AuditFileNotWritten,*'
        $script:downstream | Should -Be 0
        Get-Content $file | Should -Be 'earlier record'
        @(Get-ChildItem $TestDrive -Filter '.exists*' -Force).Count | Should -Be 0
        Get-Rules | Export-IngressAudit -Path $file -Force | Out-Null
        @(Get-Content $file).Count | Should -Be 4
    }

    It 'leaves no file at all when the folder does not exist' {
        $file = Join-Path $TestDrive 'missing/dir/r.jsonl'
        { Get-Rules | Export-IngressAudit -Path $file | ForEach-Object { $script:downstream++ } } | Should -Throw -ErrorId 'AuditFileNotWritten,SgNarrower.Commands.ExportIngressAuditCommand'
        $script:downstream | Should -Be 0
        Test-Path (Join-Path $TestDrive 'missing') | Should -BeFalse
    }

    It 'rejects an object that is not a rule, and neither records nor passes it on' {
        $file = Join-Path $TestDrive 'mixed.jsonl'
        $in = @((Get-Rules | Select-Object -First 1), [pscustomobject]@{ Name = 'not a rule' })
        $out = @($in | Export-IngressAudit -PassThru -Path $file -ErrorVariable errs -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidRuleObject,*'
        @(Get-Content $file).Count | Should -Be 1
    }
}
