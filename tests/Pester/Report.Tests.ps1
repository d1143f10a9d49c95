# Export-IngressReport: one self-contained HTML page (checked in headless Chromium, as a reader sees it) and Markdown,
# from the pipeline and from records of one run or many, local and in S3.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-BuiltModulePath) -Force
    Set-TestAwsEnvironment
    $script:Ec2 = Start-TestEc2
    $script:Conn = @{ Region = 'us-east-1'; EndpointUrl = $script:Ec2.Url }
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) ('sgn-report-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $script:Folder | Out-Null

    function script:Set-World {
        Set-TestWorld $script:Ec2 @{ regions = @{ 'us-east-1' = @{
            groups = @(
                New-TestGroup sg-0c01 -Name bastion -Rules @((New-TestRule tcp 22 22 '0.0.0.0/0' 'ssh'), (New-TestRule tcp 22 22 '::/0' 'ssh6'))
                New-TestGroup sg-0c02 -Name web -Rules @((New-TestRule tcp 443 443 '0.0.0.0/0' 'https'), (New-TestRule tcp 8080 8080 '0.0.0.0/0' '</script><b>x</b>'))
                New-TestGroup sg-0c03 -Name db -Rules @(New-TestRule tcp 5432 5432 '0.0.0.0/0' 'db')
                New-TestGroup sg-0c04 -Name spare -Rules @(New-TestRule tcp 3389 3389 '0.0.0.0/0' 'rdp')
            )
            networkInterfaces = @(
                @{ networkInterfaceId = 'eni-pub'; subnetId = 'subnet-public'; instanceId = 'i-web'; publicIp = '198.51.100.10'; groups = @('sg-0c01', 'sg-0c02') }
                @{ networkInterfaceId = 'eni-priv'; subnetId = 'subnet-private'; instanceId = 'i-db'; groups = @('sg-0c03') }
            )
            routeTables = @(
                @{ routeTableId = 'rtb-main'; main = $true; routes = @{ '0.0.0.0/0' = 'nat-1' } }
                @{ routeTableId = 'rtb-public'; subnets = @('subnet-public'); routes = @{ '0.0.0.0/0' = 'igw-1'; '::/0' = 'igw-1' } }
            )
        } } }
    }
}
AfterAll {
    Stop-TestEc2 $script:Ec2
    Remove-Item $script:Folder -Recurse -Force -ErrorAction Ignore
}

Describe 'A report of a scan, then of its remediation, from the records of both runs' {
    BeforeAll {
        Set-World
        $script:Records = Join-Path $script:Folder 'records'
        New-Item -ItemType Directory $script:Records | Out-Null
        $script:Scanned = @(Get-OpenIngressRule @script:Conn -IncludeExposure | Export-IngressAudit -Path $script:Records -PassThru)
        Start-Sleep -Milliseconds 20
        # The second run revokes the public SSH rules and records what it did.
        $script:Results = @($script:Scanned | Where-Object GroupId -eq 'sg-0c01' | Revoke-OpenIngressRule @script:Conn -Force |
            Export-IngressAudit -Path $script:Records -PassThru)
        $script:Html = Join-Path $script:Folder 'remediation.html'
        $script:File = Export-IngressReport -RecordPath $script:Records -Path $script:Html -Title 'Change 42: open ingress'
        $script:Page = Invoke-ReportCheck $script:Html 'remediation' -Needle 'sg-0c02', 'https'
    }

    It 'records carry the exposure each rule had, and read it back' {
        $lines = @(Get-ChildItem $script:Records -Filter *.jsonl | Get-Content | ForEach-Object { $_ | ConvertFrom-Json })
        $ssh = $lines | Where-Object { $_.GroupId -eq 'sg-0c01' -and -not $_.Status -and $_.CidrIpv4 }
        $ssh.Exposure | Should -Be 'Public'
        $ssh.NetworkInterfaceCount | Should -Be 1
        $ssh.AttachedTo | Should -Be @('i-web')
        ($lines | Where-Object GroupId -eq 'sg-0c04' | Select-Object -First 1).Exposure | Should -Be 'Unattached'
    }

    It 'writes one file that says what it holds' {
        # Each rule once, at its latest state: the revoked ones are among those the scan found.
        $script:File.RuleCount | Should -Be $script:Scanned.Count
        $script:File.RunCount | Should -Be 2
        $script:File.Format | Should -Be 'Html'
        (Get-Item $script:Html).Length | Should -Be $script:File.Length
    }

    It 'opens without errors and without reaching for anything outside the file' {
        $script:Page.consoleErrors | Should -BeNullOrEmpty
        $script:Page.pageErrors | Should -BeNullOrEmpty
        $script:Page.requests | Should -BeNullOrEmpty
        $html = Get-Content $script:Html -Raw
        $html | Should -Not -Match '(src|href)\s*=\s*"(https?:)?//'
        # A description that looks like markup is data, never markup.
        $html | Should -Not -Match '</script><b>'
    }

    It 'says which runs, when, and which accounts and regions' {
        $script:Page.facts.rules | Should -Be "$($script:File.RuleCount)"
        $script:Page.facts.runs | Should -Be '2'
        $script:Page.facts.accounts | Should -Be '123456789012'
        $script:Page.facts.regions | Should -Be 'us-east-1'
        $script:Page.runsTable | Should -Be 2
    }

    It 'has counts that equal the rows each filter shows, and the input' {
        foreach ($t in $script:Page.tallies) { $t.shown | Should -Be $t.count -Because "$($t.facet) $($t.value)" }
        $count = { param($facet, $value) ($script:Page.tallies | Where-Object { $_.facet -eq $facet -and $_.value -eq $value }).count }
        # Counts are of rules: a rule found open and revoked by the next run is counted once, as revoked.
        $revoked = @($script:Results | Where-Object Status -eq 'Revoked').Count
        & $count status Revoked | Should -Be $revoked
        & $count status Open | Should -Be ($script:Scanned.Count - $revoked)
        # Results carry the exposure their rule was found with.
        & $count exposure Public | Should -Be @($script:Scanned | Where-Object { "$($_.Exposure)" -eq 'Public' }).Count
        & $count exposure Unattached | Should -Be @($script:Scanned | Where-Object { "$($_.Exposure)" -eq 'Unattached' }).Count
        # SSH over IPv4 (revoked since), 443 and 8080 found on the public instance.
        & $count exposure Public | Should -Be 3
        & $count severity Informational | Should -Be $revoked
        # Open on a high-risk port (8080) from the internet to an instance with a public IPv4 address: the most severe.
        # (SSH over IPv4 was as severe, and is revoked; SSH over IPv6 is not Critical: the instance has no IPv6 address.)
        & $count severity Critical | Should -Be 1
        $script:Page.total | Should -Be $script:File.RuleCount
    }

    It 'filters by text' {
        ($script:Page.needles | Where-Object needle -eq 'sg-0c02').shown | Should -Be 2
        ($script:Page.needles | Where-Object needle -eq 'https').shown | Should -Be 1
    }

    It 'draws the ports, scopes and runs from the same rows, high-risk ports marked' {
        $ports = ($script:Page.charts | Where-Object id -eq 'chart-ports').bars
        ($ports | Where-Object label -eq 'tcp 22').count | Should -Be 2     # IPv4 and IPv6, both revoked since
        ($ports | Where-Object label -eq 'tcp 22').marked | Should -BeTrue
        ($ports | Where-Object label -eq 'tcp 443').marked | Should -BeFalse
        ($ports | Measure-Object count -Sum).Sum | Should -Be $script:File.RuleCount
        ($script:Page.charts | Where-Object id -eq 'chart-runs').bars | ForEach-Object count | Should -Be @($script:Scanned.Count, $script:Results.Count)
    }

    It 'sorts by any column, by mouse and by keyboard' {
        # Columns that hold nothing in this report (no evidence, provenance or exceptions) are left out.
        @($script:Page.headers.text) | Should -Be @('Severity', 'Account', 'Region', 'Group', 'Rule', 'Description', 'Exposure', 'Status', 'Record')
        $script:Page.headers | ForEach-Object { $_.button | Should -BeTrue }
        $script:Page.accountSortState | Should -Be 'ascending'
        $script:Page.regionSortStateByKeyboard | Should -Be 'ascending'
        $script:Page.severitySortState | Should -Be 'descending'
        $order = @('Critical', 'High', 'Medium', 'Low', 'Informational')
        $ranks = @($script:Page.severityDescending | ForEach-Object { $order.IndexOf($_) })
        $ranks | Should -Be @($ranks | Sort-Object)
    }

    It 'prints without its controls, and fits a phone' {
        $script:Page.printHidesControls | Should -BeTrue
        $script:Page.phoneOverflow | Should -BeLessOrEqual 0
        Join-Path (Get-RepoRoot) 'out/TestResults/report-screenshots/remediation-desktop.png' | Should -Exist
        Join-Path (Get-RepoRoot) 'out/TestResults/report-screenshots/remediation-phone.png' | Should -Exist
    }

    It 'uses the page''s width without running past it at 1280 and 1920 pixels and on a phone, no row taller than a few lines' {
        foreach ($w in $script:Page.widths) {
            $w.overflow | Should -BeLessOrEqual 0 -Because "the page at $($w.label)"
            $w.tallestRow | Should -BeLessOrEqual (3 * $w.rowHeight) -Because "the rows at $($w.label)"
            Join-Path (Get-RepoRoot) "out/TestResults/report-screenshots/remediation-$($w.label).png" | Should -Exist
        }
        # At desktop widths the table itself fits too; on a phone it scrolls in its own frame.
        ($script:Page.widths | Where-Object label -eq '1920').tableOverflow | Should -BeLessOrEqual 0
        ($script:Page.widths | Where-Object label -eq '1280').tableOverflow | Should -BeLessOrEqual 0
    }

    It 'opens a rule''s details under it: its notes in full and each run''s state of it' {
        $script:Page.detailExpanded | Should -Be 'true'
        $script:Page.detail.terms | Should -Contain 'History'
        $script:Page.detail.history.Count | Should -BeGreaterOrEqual 1
        $script:Page.detail.history[0] | Should -Match 'UTC \(.+\): Open \['
        Join-Path (Get-RepoRoot) 'out/TestResults/report-screenshots/remediation-1280-open.png' | Should -Exist
    }

    It 'reads the same from a CSV record as from JSON Lines' {
        $csv = Join-Path $script:Folder 'scan.csv'
        $script:Scanned | Export-IngressAudit -Path $csv -Summary | Out-Null
        $fromCsv = Export-IngressReport -RecordPath $csv -Path (Join-Path $script:Folder 'csv.md')
        $jsonl = ($script:Scanned | Select-Object -First 1).AuditUri
        $fromJson = Export-IngressReport -RecordPath $jsonl -Path (Join-Path $script:Folder 'json.md')
        $fromCsv.RuleCount | Should -Be $script:Scanned.Count
        # The same rules, counts and words; only the record's name differs.
        $strip = { param($file, $record) (Get-Content $file) | Where-Object { $_ -notlike 'Generated *' } | ForEach-Object { $_.Replace($record, 'RECORD') } }
        (& $strip (Join-Path $script:Folder 'csv.md') $csv) | Should -Be (& $strip (Join-Path $script:Folder 'json.md') $jsonl)
    }
}

Describe 'A report across accounts, regions and runs' {
    BeforeAll {
        $script:Multi = Join-Path $script:Folder 'multi'
        New-Item -ItemType Directory $script:Multi | Out-Null
        $accounts = '111111111111', '222222222222', '333333333333'
        $regions = 'us-east-1', 'eu-west-1'
        $script:Expected = @{}
        $n = 0
        foreach ($run in 1..3) {
            $lines = foreach ($a in $accounts) {
                foreach ($r in $regions) {
                    $count = $run + [array]::IndexOf($accounts, $a)
                    foreach ($i in 1..$count) {
                        $n++
                        $script:Expected["$a $r"] += 1
                        New-TestRecordLine "run-$run" "2026-11-0$($run)T10:00:00.000Z" @{ OwnerId = $a; Region = $r; GroupId = ('sg-{0:x8}' -f $n); IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '0.0.0.0/0'; Description = "rule $n" }
                    }
                }
            }
            Set-Content -Path (Join-Path $script:Multi "run-$run.jsonl") -Value $lines
        }
        $script:Total = $n
        $script:Html = Join-Path $script:Folder 'multi.html'
        Export-IngressReport -RecordPath $script:Multi -Path $script:Html | Out-Null
        $script:Page = Invoke-ReportCheck $script:Html 'accounts-and-runs' -Needle '222222222222'
    }

    It 'counts each account and region as the records hold them' {
        $script:Page.total | Should -Be $script:Total
        $scopes = ($script:Page.charts | Where-Object id -eq 'chart-scopes').bars
        $scopes.Count | Should -Be 6
        foreach ($b in $scopes) { $b.count | Should -Be $script:Expected[$b.label] -Because $b.label }
        $script:Page.facts.accounts | Should -Be '111111111111, 222222222222, 333333333333'
        $script:Page.facts.regions | Should -Be 'eu-west-1, us-east-1'
        ($script:Page.needles | Where-Object needle -eq '222222222222').shown | Should -Be ($script:Expected['222222222222 us-east-1'] + $script:Expected['222222222222 eu-west-1'])
    }

    It 'shows the runs oldest first, each with its rules' {
        $script:Page.facts.runs | Should -Be '3'
        $script:Page.facts.when | Should -Be '2026-11-01 10:00 UTC to 2026-11-03 10:00 UTC'
        ($script:Page.charts | Where-Object id -eq 'chart-runs').bars | ForEach-Object count | Should -Be @(12, 18, 24)
        foreach ($t in $script:Page.tallies) { $t.shown | Should -Be $t.count -Because "$($t.facet) $($t.value)" }
    }
}

Describe 'A report of 100,000 rules' {
    BeforeAll {
        $path = Join-Path $script:Folder 'large.jsonl'
        $statuses = 'Revoked', 'Narrowed', 'Skipped', 'Failed', $null
        $exposures = 'Public', 'Private', 'Unattached', $null
        $writer = [IO.StreamWriter]::new($path)
        try {
            for ($i = 0; $i -lt 100000; $i++) {
                $rule = @{ OwnerId = '123456789012'; Region = 'us-east-1'; GroupId = ('sg-{0:x8}' -f [int]($i / 2)); SecurityGroupRuleId = ('sgr-{0:x8}' -f $i)
                    IpProtocol = 'tcp'; FromPort = (22, 443, 3389, 8080)[$i % 4]; ToPort = (22, 443, 3389, 8080)[$i % 4]; CidrIpv4 = '0.0.0.0/0'
                    Description = "rule $i"; Status = $statuses[$i % 5]; Exposure = $exposures[$i % 4] }
                if ($null -ne $rule.Exposure) { $rule.NetworkInterfaceCount = $i % 3 }
                $writer.WriteLine((New-TestRecordLine 'run-large' '2026-12-01T00:00:00.000Z' $rule))
            }
        }
        finally { $writer.Dispose() }
        $script:Html = Join-Path $script:Folder 'large.html'
        $script:File = Export-IngressReport -RecordPath $path -Path $script:Html
        $script:Page = Invoke-ReportCheck $script:Html 'large' -Needle 'rule 99999'
    }

    It 'opens with every rule counted and only a page of them in the document' {
        $script:Page.consoleErrors | Should -BeNullOrEmpty
        $script:Page.pageErrors | Should -BeNullOrEmpty
        $script:Page.total | Should -Be 100000
        $script:Page.domRows | Should -Be 50
        $script:Page.pageStatus | Should -Be 'Page 1 of 2000'
        $script:Page.lastPage.status | Should -Be 'Page 2000 of 2000'
        $script:Page.lastPage.rows | Should -Be 50
        ($script:Page.needles | Where-Object needle -eq 'rule 99999').shown | Should -Be 1
    }

    It 'has counts that equal the rows each filter shows' {
        foreach ($t in $script:Page.tallies) { $t.shown | Should -Be $t.count -Because "$($t.facet) $($t.value)" }
        ($script:Page.tallies | Where-Object { $_.facet -eq 'status' -and $_.value -eq 'Open' }).count | Should -Be 20000
        ($script:Page.tallies | Where-Object { $_.facet -eq 'exposure' -and $_.value -eq 'Not measured' }).count | Should -Be 25000
    }
}

Describe 'Markdown' {
    It 'writes the summary and the most severe rules for a ticket' {
        Set-World
        $rules = @(Get-OpenIngressRule @script:Conn -IncludeExposure)
        $md = Join-Path $script:Folder 'ticket.md'
        $file = $rules | Export-IngressReport -Path $md -First 2
        $file.Format | Should -Be 'Markdown'
        $text = Get-Content $md
        $text[0] | Should -Be '# Security-group ingress open to the world'
        $text | Should -Contain "| Open | $($rules.Count) |"
        $text | Should -Contain "## Rules (the 2 most severe of $($rules.Count))"
        $table = @($text | Where-Object { $_ -like '| Critical |*' -or $_ -like '| High |*' -or $_ -like '| Medium |*' -or $_ -like '| Low |*' } | Where-Object { $_ -match '\| sg-' })
        $table.Count | Should -Be 2
        # SSH and 8080 (high-risk ports) from the internet to an instance with a public address, in input order.
        $table[0] | Should -Match '^\| Critical \| 123456789012 \| us-east-1 \| sg-0c01 \(bastion\) \| `tcp 22 0\.0\.0\.0/0` \| Public \| Not measured \| Open \|'
        $table[1] | Should -Match '^\| Critical \| 123456789012 \| us-east-1 \| sg-0c02 \(web\) \| `tcp 8080 0\.0\.0\.0/0` \| Public \| Not measured \| Open \|'
        # Markup in a description never reaches the Markdown as markup.
        Get-Content $md -Raw | Should -Not -Match '<b>'
    }
}

Describe 'A report with exceptions' {
    It 'has an Exception column and filter whose counts equal the rows they show, and says it in Markdown' {
        Set-World
        $entry = [ordered]@{ AccountId = '123456789012'; Region = 'us-east-1'; GroupId = 'sg-0c02'; SecurityGroupRuleId = '*'; IpProtocol = 'tcp'
            FromPort = 443; ToPort = 443; Source = '0.0.0.0/0'; Owner = 'alice@example.com'; Reason = 'storefront'; Ticket = 'CHG-1'; Ends = '2099-01-01T00:00:00Z' }
        $ended = [ordered]@{} + $entry
        $ended.GroupId = 'sg-0c04'; $ended.FromPort = 3389; $ended.ToPort = 3389; $ended.Ticket = 'CHG-0'; $ended.Ends = '2020-01-01T00:00:00Z'
        $file = Join-Path $script:Folder 'report-exceptions.json'
        @{ Exceptions = @($entry, $ended) } | ConvertTo-Json -Depth 4 | Set-Content $file
        $rules = @(Get-OpenIngressRule @script:Conn -ExceptionPath $file)
        $html = Join-Path $script:Folder 'exceptions.html'
        $rules | Export-IngressReport -Path $html | Out-Null
        $page = Invoke-ReportCheck $html 'exceptions' -Needle 'alice@example.com'
        foreach ($t in $page.tallies) { $t.shown | Should -Be $t.count -Because "$($t.facet) $($t.value)" }
        ($page.tallies | Where-Object { $_.facet -eq 'exception' -and $_.value -eq 'Live' }).count | Should -Be 1
        ($page.tallies | Where-Object { $_.facet -eq 'exception' -and $_.value -eq 'Ended' }).count | Should -Be 1
        ($page.tallies | Where-Object { $_.facet -eq 'exception' -and $_.value -eq 'None' }).count | Should -Be ($rules.Count - 2)
        $page.headers.text | Should -Contain 'Exception'

        $md = Join-Path $script:Folder 'exceptions.md'
        $rules | Export-IngressReport -Path $md | Out-Null
        $text = Get-Content $md
        $text | Should -Contain '| Live | 1 |'
        $text | Should -Contain '| Ended | 1 |'

        # Against the file as it is now: the live exception has ended since, a new entry names nothing (stale).
        $entry.Ends = '2020-06-01T00:00:00Z'
        $stale = [ordered]@{} + $entry
        $stale.GroupId = 'sg-0c99'; $stale.Ticket = 'CHG-9'; $stale.Ends = '2099-01-01T00:00:00Z'
        @{ Exceptions = @($entry, $ended, $stale) } | ConvertTo-Json -Depth 4 | Set-Content $file
        $now = Join-Path $script:Folder 'exceptions-now.html'
        $rules | Export-IngressReport -Path $now -ExceptionPath $file | Out-Null
        $page = Invoke-ReportCheck $now 'exceptions-now'
        ($page.tallies | Where-Object { $_.facet -eq 'exception' -and $_.value -eq 'Live' }).count | Should -Be 0
        ($page.tallies | Where-Object { $_.facet -eq 'exception' -and $_.value -eq 'Ended' }).count | Should -Be 2
        $html = Get-Content $now -Raw
        $html | Should -Match 'Stale exceptions'
        $html | Should -Match '#3 in report-exceptions.json</td><td>account 123456789012, us-east-1, sg-0c99, any rule, tcp 443, from 0.0.0.0/0</td><td>alice@example.com</td><td>CHG-9'
        $mdNow = Join-Path $script:Folder 'exceptions-now.md'
        $rules | Export-IngressReport -Path $mdNow -ExceptionPath $file | Out-Null
        (Get-Content $mdNow) | Should -Contain '- #3 in report-exceptions.json: account 123456789012, us-east-1, sg-0c99, any rule, tcp 443, from 0.0.0.0/0; owner alice@example.com, CHG-9, ends 2099-01-01'
        ($text | Where-Object { $_ -match 'sg-0c02' -and $_ -match '443' }) | Should -Match '\| Live: alice@example.com, until 2099-01-01 \|'
    }
}

Describe 'Results piped from a recorded run' {
    It 'counts the runs of the records the results name' {
        Set-World
        $records = Join-Path $script:Folder 'piped-records'
        $results = @(Get-OpenIngressRule @script:Conn | Export-IngressAudit -Path $records -PassThru)
        $html = Join-Path $script:Folder 'piped.html'
        $file = $results | Export-IngressReport -Path $html
        $file.RunCount | Should -Be 1
        (Invoke-ReportCheck $html 'piped').facts.runs | Should -Be '1'
    }
}

Describe 'A run that found nothing' {
    It 'still says which run it was, and opens without errors' {
        $empty = Join-Path $script:Folder 'empty-run.jsonl'
        @() | Export-IngressAudit -Path $empty -Summary | Out-Null
        $html = Join-Path $script:Folder 'empty.html'
        $file = Export-IngressReport -RecordPath $empty -Path $html
        ($file.RuleCount, $file.RunCount) | Should -Be @(0, 1)
        $page = Invoke-ReportCheck $html 'empty'
        $page.consoleErrors + $page.pageErrors | Should -BeNullOrEmpty
        $page.total | Should -Be 0
        $page.facts.runs | Should -Be '1'
        $page.domRows | Should -Be 0
        Export-IngressReport -RecordPath $empty -Path (Join-Path $script:Folder 'empty.md') | Out-Null
        Get-Content (Join-Path $script:Folder 'empty.md') | Should -Contain 'No rules.'
    }
}

Describe 'Records in S3' {
    It 'reads every record under a prefix' {
        Set-World
        Get-OpenIngressRule @script:Conn | Export-IngressAudit -BucketName audit -EndpointUrl $script:Ec2.Url -Region us-east-1 -KeyPrefix reports/ -Summary | Out-Null
        Get-OpenIngressRule @script:Conn | Select-Object -First 2 | Export-IngressAudit -BucketName audit -EndpointUrl $script:Ec2.Url -Region us-east-1 -KeyPrefix reports/ -Summary | Out-Null
        $file = Export-IngressReport -RecordUri s3://audit/reports/ -EndpointUrl $script:Ec2.Url -Region us-east-1 -Path (Join-Path $script:Folder 's3.md')
        $file.RuleCount | Should -Be 6     # the second run's two rules are rules of the first
        $file.RunCount | Should -Be 2
    }
}

Describe 'Bad input changes nothing' {
    It 'refuses a record with a line it cannot read, naming it, and writes no report' {
        $bad = Join-Path $script:Folder 'bad.jsonl'
        Set-Content $bad @(
            (New-TestRecordLine 'run-bad' '2026-12-01T00:00:00.000Z' @{ OwnerId = '123456789012'; Region = 'us-east-1'; GroupId = 'sg-1'; IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '0.0.0.0/0' })
            (New-TestRecordLine 'run-bad' '2026-12-01T00:00:00.000Z' @{ OwnerId = '123456789012'; Region = 'us-east-1'; GroupId = 'sg-1'; IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '010.0.0.0/8' }))
        $out = Join-Path $script:Folder 'never.html'
        { Export-IngressReport -RecordPath $bad -Path $out } | Should -Throw -ErrorId 'InvalidAuditRecord,SgNarrower.Commands.ExportIngressReportCommand' -ExpectedMessage "*bad.jsonl*line 2*010.0.0.0/8*"
        $out | Should -Not -Exist
    }

    It 'refuses a line whose exposure or observed sources are not what records hold' {
        $bad = Join-Path $script:Folder 'bad-exposure.jsonl'
        $line = New-TestRecordLine 'run-bad' '2026-12-01T00:00:00.000Z' @{ OwnerId = '123456789012'; Region = 'us-east-1'; GroupId = 'sg-1'; IpProtocol = 'tcp'; FromPort = 22; ToPort = 22; CidrIpv4 = '0.0.0.0/0'; Exposure = 'Internet' }
        Set-Content $bad $line
        { Export-IngressReport -RecordPath $bad -Path (Join-Path $script:Folder 'never2.html') } | Should -Throw -ExpectedMessage "*Exposure 'Internet' is not Unattached, Private or Public*"
        Set-Content $bad ($line -replace '"Exposure":"Internet"', '"Recommendation":"Narrow","ObservedSources":[{"Address":"010.1.1.1","Flows":1,"Packets":1}]')
        { Export-IngressReport -RecordPath $bad -Path (Join-Path $script:Folder 'never2.html') } | Should -Throw -ExpectedMessage "*observed source '010.1.1.1'*"
    }

    It 'refuses a pipeline object that is not a rule, and an existing file without -Force' {
        $out = Join-Path $script:Folder 'never3.html'
        { [pscustomobject]@{ Name = 'x' } | Export-IngressReport -Path $out } | Should -Throw -ErrorId 'InvalidRuleObject,SgNarrower.Commands.ExportIngressReportCommand'
        $out | Should -Not -Exist
        Set-Content $out 'keep me'
        { Get-OpenIngressRule -Path (Join-Path (Get-RepoRoot) 'samples/security-groups.json') | Export-IngressReport -Path $out } | Should -Throw -ErrorId 'FileExists,SgNarrower.Commands.ExportIngressReportCommand'
        Get-Content $out | Should -Be 'keep me'
    }

    It 'writes nothing with -WhatIf' {
        $out = Join-Path $script:Folder 'whatif.html'
        Get-OpenIngressRule -Path (Join-Path (Get-RepoRoot) 'samples/security-groups.json') | Export-IngressReport -Path $out -WhatIf
        $out | Should -Not -Exist
    }
}
