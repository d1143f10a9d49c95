# What people read: tables at 80 and 120 columns, full help, clear errors, and what Export writes at the end of a pipeline.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Sample = Join-Path (Get-RepoRoot) 'samples/security-groups.json'
    $script:Rules = @(Get-OpenIngressRule -Path $script:Sample -Region us-east-1)
}

Describe 'Default tables' {
    It 'fit <Width> columns and keep group, protocol, ports and source on every row' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
        $lines = @(($script:Rules | Out-String -Width $Width) -split "`r?`n" | Where-Object { $_.Trim() })
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual $Width }
        $rows = @($lines | Select-Object -Skip 2)
        $rows.Count | Should -Be $script:Rules.Count
        for ($i = 0; $i -lt $rows.Count; $i++) {
            $r = $script:Rules[$i]
            $rows[$i] | Should -BeLike "$($r.GroupId) *"
            $rows[$i] | Should -BeLike "*$($r.Cidr)*"
        }
        # Two rules of one group on the same port, one per family, are told apart.
        @($rows | Sort-Object -Unique).Count | Should -Be $rows.Count
    }

    It 'show a result''s status, group, rule and region on one line, and the whole error below it, wrapped at spaces, at 80 columns' {
        $message = 'Access denied calling RevokeSecurityGroupIngress for security group sg-0a1b2c3d4e5f60001 in us-east-1: the caller needs the IAM action ec2:RevokeSecurityGroupIngress.'
        $change = [SgNarrower.IngressRuleChange]::new($script:Rules[0], 'Revoke', [SgNarrower.ChangeStatus]::Failed)
        $change.GetType().GetProperty('Error').SetValue($change, $message)
        $done = [SgNarrower.IngressRuleChange]::new($script:Rules[1], 'Revoke', [SgNarrower.ChangeStatus]::Revoked)
        $lines = @((@($change, $done) | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        $lines[0] | Should -Match '^Failed\s+sg-0a1b2c3d4e5f60001\s+tcp 22 0\.0\.0\.0/0\s+us-east-1$'
        # The error on lines of its own, at full width, broken only between words: read on, it is the whole message.
        $errorLines = @($lines | Select-Object -Skip 1 | Where-Object { $_ -like '    *' })
        $errorLines.Count | Should -BeLessOrEqual 3
        ($errorLines | ForEach-Object { $_.Trim() }) -join ' ' | Should -Be $message
        $lines[-1] | Should -Match '^Revoked\s+sg-0a1b2c3d4e5f60001\s+tcp 22 ::/0\s+us-east-1$'
        $lines.Count | Should -Be ($errorLines.Count + 2)
    }
}

Describe 'Full help' {
    It 'shows -WhatIf and -Confirm in the syntax of the cmdlets that change things' {
        foreach ($name in 'Revoke-OpenIngressRule', 'Restore-IngressRule', 'Export-IngressAudit') {
            $syntax = (Get-Help $name -Full).syntax | Out-String -Width 400
            $syntax | Should -Match '\[-WhatIf\]'
            $syntax | Should -Match '\[-Confirm\]'
        }
    }

    It 'shows the default value of every parameter that has one' {
        (Get-Help Get-OpenIngressRule -Parameter PageSize).defaultValue | Should -Be '1000'
        (Get-Help Get-OpenIngressRule -Parameter PortPolicy).defaultValue | Should -Be 'All'
        (Get-Help Get-OpenIngressRule -Parameter ThrottleLimit).defaultValue | Should -Be '8'
        (Get-Help Export-IngressAudit -Parameter Format).defaultValue | Should -Be 'JsonLines'
        (Get-Help Export-IngressAudit -Parameter ServerSideEncryption).defaultValue | Should -Be 'AES256'
        (Get-Help Revoke-OpenIngressRule -Parameter RateShare).defaultValue | Should -Be '1'
    }
}

Describe 'Clear errors' {
    It 'a folder given as -Path says so' {
        $err = { Get-OpenIngressRule -Path (Split-Path $script:Sample) } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'PathIsFolder,*'
        $err.Exception.Message | Should -BeLike '*is a folder*Get-ChildItem*'
        $err = { Restore-IngressRule -Path (Split-Path $script:Sample) -Region us-east-1 -Force } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'PathIsFolder,*'
    }

    It 'a pseudo-region such as us-east-1-regional is not a region' {
        $err = { Get-OpenIngressRule -Region us-east-1-regional -EndpointUrl http://127.0.0.1:9 } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'UnknownRegion,*'
    }

    It 'messages are sentences that end with a full stop' {
        $messages = @(
            { Get-OpenIngressRule -Region us-east-1 -EndpointUrl http://127.0.0.1:9 -ErrorAction Stop }
            { Get-OpenIngressRule -Path (Split-Path $script:Sample) }
            { Get-OpenIngressRule -Region us-east-1-regional }
            { $script:Rules | Export-IngressAudit }
            { $script:Rules | Revoke-OpenIngressRule -ReplaceWith 0.0.0.0/1 }
            { Restore-IngressRule -Uri 's3://audit/' }
        ) | ForEach-Object { try { & $_ | Out-Null; 'no error' } catch { $_.Exception.Message } }
        $messages | ForEach-Object { $_.TrimEnd() | Should -Match '[.!?]$' }
    }
}

Describe 'Export-IngressAudit at the end of a pipeline' {
    It 'writes the summary as the last command, passes rules on when a command follows, and with -PassThru' {
        $last = @($script:Rules | Export-IngressAudit -Path (Join-Path $TestDrive 'last.jsonl') 6>$null)
        $last.Count | Should -Be 1
        $last[0].GetType().FullName | Should -Be 'SgNarrower.IngressAuditSummary'
        $last[0].RuleCount | Should -Be $script:Rules.Count

        $middle = @($script:Rules | Export-IngressAudit -Path (Join-Path $TestDrive 'middle.jsonl') 6>$null | ForEach-Object { $_ })
        $middle.Count | Should -Be $script:Rules.Count
        $middle[0].AuditUri | Should -BeLike '*middle.jsonl'

        $passed = @($script:Rules | Export-IngressAudit -Path (Join-Path $TestDrive 'passthru.jsonl') -PassThru 6>$null)
        $passed.Count | Should -Be $script:Rules.Count
    }
}
