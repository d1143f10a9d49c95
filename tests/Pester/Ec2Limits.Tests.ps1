# What EC2 allows, met by the module as a user runs it, against the strict test endpoint (which refuses whatever the
# EC2 API Reference says EC2 refuses): narrowing into another rule type, quotas, refused text, and many runs of one rule.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $script:Conn = @{ Region = 'us-east-1'; EndpointUrl = $script:Ec2.Url }
    function script:Get-RuleSet {
        @((Get-TestWorld $script:Ec2).regions.'us-east-1'.groups | ForEach-Object { $g = $_; $_.rules | Where-Object { -not $_.egress } |
            ForEach-Object { "$($g.groupId)|$($_.ipProtocol)|$($_.fromPort)|$($_.cidrIpv4)$($_.cidrIpv6)$($_.referencedGroupId)$($_.prefixListId)|$($_.description)" } }) | Sort-Object
    }
    function script:Get-Calls([string[]] $Action) { @(Get-TestCalls $script:Ec2 | Where-Object { $Action -contains $_.action }) }
}
AfterAll { Stop-TestEc2 $script:Ec2 }

Describe 'Narrowing into another rule type' {
    It 'narrows 0.0.0.0/0 to a security group by granting it, then revoking the open rule; the result names the new rule; restore is exact' {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup sg-0a01 -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule tcp 443 443 '10.0.0.0/8' 'lan'))) } } }
        $before = Get-RuleSet
        $record = Join-Path $TestDrive 'to-group.jsonl'
        Reset-TestCalls $script:Ec2

        $result = @(Get-OpenIngressRule @script:Conn | Export-IngressAudit -Path $record | Revoke-OpenIngressRule @script:Conn -ReplaceWith sg-0bastion -Force)

        "$($result.Status)" | Should -Be 'Narrowed'
        @(Get-Calls ModifySecurityGroupRules).Count | Should -Be 0
        $bastion = @((Get-TestWorld $script:Ec2).regions.'us-east-1'.groups[0].rules | Where-Object referencedGroupId -eq 'sg-0bastion')
        $bastion.Count | Should -Be 1
        $result.NewRuleIds | Should -Be @($bastion[0].ruleId)
        $result.NewRuleIds[0] | Should -Not -Be $result.SecurityGroupRuleId
        "$($bastion[0].description)" | Should -BeLike 'SgNarrower: replaces 0.0.0.0/0 (sgr-*)'

        @(Restore-IngressRule -TrustUnsignedRecord -Path $record @script:Conn -Force).Status | ForEach-Object { "$_" | Should -Be 'Restored' }
        Get-RuleSet | Should -Be $before
    }
}

Describe 'Quotas known before the first call' {
    BeforeEach {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(
            New-TestGroup sg-0q01 -Rules @(@(0..3 | ForEach-Object { New-TestRule tcp (1000 + $_) (1000 + $_) "192.168.$_.0/24" }) + (New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'))) } } }
        $script:Sources = @(0..60 | ForEach-Object { "10.$_.0.0/16" })
    }

    It 'refuses a narrowing to 61 sources on a group of 5 rules, naming the group, its count and the quota, and grants nothing' {
        $before = Get-RuleSet
        Reset-TestCalls $script:Ec2
        $result = @(Get-OpenIngressRule @script:Conn | Revoke-OpenIngressRule @script:Conn -ReplaceWith $script:Sources -SkipAudit -Force -ErrorAction SilentlyContinue -ErrorVariable err)
        "$($result.Status) $($result.ErrorId)" | Should -Be 'Failed RuleQuotaExceeded'
        "$err" | Should -Match 'sg-0q01'
        "$err" | Should -Match 'holds 5 of its quota of 60'
        "$err" | Should -Match '-RuleQuota'
        @(Get-Calls AuthorizeSecurityGroupIngress, ModifySecurityGroupRules, RevokeSecurityGroupIngress, CreateTags).Count | Should -Be 0
        Get-RuleSet | Should -Be $before
    }

    It 'takes a narrowing that fits exactly: 60 rules, one of them the open rule edited in place' {
        $result = @(Get-OpenIngressRule @script:Conn | Revoke-OpenIngressRule @script:Conn -ReplaceWith $script:Sources[0..55] -SkipAudit -Force)
        "$($result.Status)" | Should -Be 'Narrowed'
        @((Get-TestWorld $script:Ec2).regions.'us-east-1'.groups[0].rules | Where-Object { -not $_.egress }).Count | Should -Be 60
    }

    It 'in an account whose quota is raised, the narrowing goes through once the admin states it with -RuleQuota' {
        $world = Get-TestWorld $script:Ec2
        $world | Add-Member -NotePropertyName rulesPerGroup -NotePropertyValue 100 -Force
        Invoke-RestMethod -Method Post -Uri "$($script:Ec2.Url)_control/world" -Body ($world | ConvertTo-Json -Depth 20) -ContentType 'application/json' | Out-Null
        $refused = @(Get-OpenIngressRule @script:Conn | Revoke-OpenIngressRule @script:Conn -ReplaceWith $script:Sources -SkipAudit -Force -ErrorAction SilentlyContinue)
        "$($refused.ErrorId)" | Should -Be 'RuleQuotaExceeded'
        $result = @(Get-OpenIngressRule @script:Conn | Revoke-OpenIngressRule @script:Conn -ReplaceWith $script:Sources -RuleQuota 100 -SkipAudit -Force)
        "$($result.Status)" | Should -Be 'Narrowed'
        @((Get-TestWorld $script:Ec2).regions.'us-east-1'.groups[0].rules | Where-Object { -not $_.egress }).Count | Should -Be 65
    }

    It 'refuses -RuleQuota out of range before anything happens' {
        { Get-OpenIngressRule @script:Conn | Revoke-OpenIngressRule @script:Conn -ReplaceWith 203.0.113.0/24 -RuleQuota 0 -Force } | Should -Throw -ErrorId 'ParameterArgumentValidationError,SgNarrower.Commands.RevokeOpenIngressRuleCommand'
    }
}

Describe 'Text is text' {
    BeforeAll {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(New-TestGroup sg-0t01 -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh')) } } }
    }

    It 'refuses -ReplaceWith with a trailing NUL, showing where, and changes nothing' {
        $before = Get-RuleSet
        Reset-TestCalls $script:Ec2
        $err = { Get-OpenIngressRule @script:Conn | Revoke-OpenIngressRule @script:Conn -ReplaceWith "203.0.113.0/24`0" -SkipAudit -Force } | Should -Throw -PassThru
        "$err" | Should -Match 'U\+0000'
        "$err" | Should -Match 'position 15'
        @(Get-Calls AuthorizeSecurityGroupIngress, ModifySecurityGroupRules, RevokeSecurityGroupIngress, CreateTags).Count | Should -Be 0
        Get-RuleSet | Should -Be $before
    }

    It 'refuses a group id, region or tag selector with a control or bidirectional character' -ForEach @(
        @{ Splat = @{ GroupId = "sg-0t01`n" } }
        @{ Splat = @{ Region = "us-east-1`0" } }
        @{ Splat = @{ ExcludeRuleTag = "team=ops$([char]0x202E)" } }
    ) {
        $err = { Get-OpenIngressRule -EndpointUrl $script:Ec2.Url @Splat } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
        "$err" | Should -Match 'U\+'
    }

    It 'refuses a pipeline object whose group id hides a control character, naming the field' {
        $rule = [pscustomobject]@{ GroupId = "sg-0t01`0"; Region = 'us-east-1'; IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '0.0.0.0/0' }
        $result = @($rule | Revoke-OpenIngressRule -EndpointUrl $script:Ec2.Url -SkipAudit -Force -ErrorAction SilentlyContinue -ErrorVariable err)
        $result | Should -BeNullOrEmpty
        "$err" | Should -Match 'GroupId'
        "$err" | Should -Match 'U\+0000'
    }
}

Describe 'Ownership that fits the tag' {
    It 'after 30 rounds of re-open and narrow of one rule, every record restored newest first leaves the group as it began' {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{ groups = @(New-TestGroup sg-0r01 -Rules @(New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh')) } } }
        $before = Get-RuleSet
        $records = foreach ($round in 1..30) {
            if ($round -gt 1) {
                # The rule is opened again (as an event-driven closer sees day after day).
                Invoke-TestEc2Action $script:Ec2 -Parameters @{ Action = 'AuthorizeSecurityGroupIngress'; GroupId = 'sg-0r01'; 'IpPermissions.1.IpProtocol' = 'tcp'
                    'IpPermissions.1.FromPort' = 22; 'IpPermissions.1.ToPort' = 22; 'IpPermissions.1.IpRanges.1.CidrIp' = '0.0.0.0/0'; 'IpPermissions.1.IpRanges.1.Description' = 'ssh' } | Out-Null
            }
            $record = Join-Path $TestDrive "round-$round.jsonl"
            $r = @(Get-OpenIngressRule @script:Conn | Export-IngressAudit -Path $record | Revoke-OpenIngressRule @script:Conn -ReplaceWith 203.0.113.0/24 -Force)
            "$($r.Status)" | Should -Be 'Narrowed'
            $record
        }
        $replacement = @((Get-TestWorld $script:Ec2).regions.'us-east-1'.groups[0].rules | Where-Object cidrIpv4 -eq '203.0.113.0/24')
        $replacement.Count | Should -Be 1
        $owners = @($replacement[0].tags.PSObject.Properties | Where-Object Name -like 'sgnarrower:replacement*' | ForEach-Object { $_.Value -split ' ' } | Where-Object { $_ })
        $owners.Count | Should -Be 29
        $replacement[0].tags.PSObject.Properties | ForEach-Object { $_.Value.Length | Should -BeLessOrEqual 256 }

        [array]::Reverse($records)
        foreach ($record in $records) {
            Restore-IngressRule -TrustUnsignedRecord -Path $record @script:Conn -Force | ForEach-Object { "$($_.Status)" | Should -BeIn @('Restored', 'AlreadyPresent') }
        }
        Get-RuleSet | Should -Be $before
    }
}
