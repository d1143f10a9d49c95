@{
    Synopsis    = 'Writes one self-contained HTML page (or Markdown) about open ingress rules: what was open, what it exposed, who used it, what was changed and where the record is.'
    Description = @'
Export-IngressReport takes rules, change results and evidence from the pipeline (Get-OpenIngressRule, Measure-OpenIngressRule, Revoke-OpenIngressRule, Restore-IngressRule, Import-Csv or ConvertFrom-Json of a record), and records given with -RecordPath (files, or folders whose .jsonl and .csv files are all read) or -RecordUri (s3://bucket/key, or s3://bucket/prefix/ for every record under it), one run or many. Each input is checked as Restore-IngressRule checks it; one that is not a rule, or a record that cannot be read whole, stops the command and nothing is written.

The HTML page needs nothing else: style, script and data are inside the file, so it opens from a mail attachment or an S3 link, without network access, and prints well. At the top: which runs, when, which accounts and regions, and counts of rules by severity, status (Open, Revoked, Narrowed, Restored, Skipped, Failed...), exposure and recommendation. Below, inline SVG charts: rules by port (the ten most frequent, the high-risk ports of Security Hub EC2.19 marked), by account and region, and per run when several runs are given. Then a table of every rule - severity, account, region, group id and name, the rule, its description, exposure and what it is attached to, the recommendation and its reason, the observed sources, the proposed cover, the status with its error or note, and the record - that sorts by any column, filters by text and by severity, status, exposure and recommendation, and shows a page at a time (25 to 250 rows), so that a report of 100,000 rules opens and scrolls smoothly. Sorting and paging are buttons, and the table is marked up for keyboards and screen readers.

Where things stand: each rule (by account, region, group and what it allows) is one row at its latest known state, whatever number of runs and records hold it, and counts are of rules, not of record lines; a rule found open by one run and revoked by the next counts once, as Revoked. A rule's detail row (the + in its first cell) holds its history, each run's state of it with when and the record, and the long text a column would squeeze: the outcome, reasons, observed sources, who opened it (Get-OpenIngressRule -CloudTrailUri) and its exception. Columns that hold nothing in the report are left out; the table uses the page's width; a record is named by its run, the whole location on hover. Runs are counted from the records read and from the records piped results name. With -ExceptionPath or -ExceptionUri every rule is shown against the exceptions file as it is now, and entries that name no rule are listed as stale.

Every figure comes from the input: each count equals the number of rows the matching filter shows. A rule read from a record without a status is Open: nothing was done to it. Severity is one table for the report and the findings (see Export-IngressFinding).

-Format Markdown (or a -Path ending in .md) writes the summary and the most severe rules (-First, 50 by default) as Markdown, for a ticket or a pull request.

Records carry exposure when Get-OpenIngressRule -IncludeExposure found it, evidence when Measure-OpenIngressRule measured it, and status, error, note and replacements when they are records of change results (Revoke-OpenIngressRule | Export-IngressAudit).
'@
    Parameters  = @{
        ExceptionPath       = 'The exceptions file as it is now (.json, .csv or .psd1; see Get-Help Get-OpenIngressRule): every rule is shown against it (an exception ended since the record was written shows Ended), and entries that have not ended and name no rule of the report''s accounts and regions are listed as stale.'
        ExceptionUri        = 'An exceptions file in S3 (s3://bucket/key), read with the bucket''s owner: -ExpectedBucketOwner, else the caller''s own account.'
        InputObject         = 'Rules and change results from the pipeline: the output of Get-OpenIngressRule, Measure-OpenIngressRule, Revoke-OpenIngressRule and Restore-IngressRule, or objects with the same property names (Import-Csv, ConvertFrom-Json of a record).'
        RecordPath          = 'Record files (JSON Lines or CSV, as Export-IngressAudit writes them), or folders whose .jsonl and .csv files, in subfolders too, are all read in name order.'
        RecordUri           = 's3://bucket/key for one record, or s3://bucket/prefix/ (ending in /) for every .jsonl and .csv record under the prefix. Read with the caller''s own credentials; needs s3:GetObject, and s3:ListBucket for a prefix.'
        Region              = 'The region of the bucket -RecordUri reads. Without it, the region of the default chain.'
        ExpectedBucketOwner = 'The 12-digit account id that must own the bucket -RecordUri reads, for a central bucket of another account. Without it, the caller''s own account: S3 refuses the read if anyone else owns the bucket.'
        Path                = 'The file to write. An existing file is not overwritten without -Force.'
        Format              = 'Html (the default) or Markdown. A -Path ending in .md means Markdown unless -Format says otherwise.'
        Title               = 'The heading of the report.'
        First               = 'Markdown: how many rules the table shows, most severe first (0 to 100000). The summary always counts every rule.'
        Force               = 'Overwrites an existing file.'
    }
    Defaults    = @{ Format = 'Html'; Title = 'Security-group ingress open to the world'; First = '50' }
    Inputs      = @(
        @{ Type = 'SgNarrower.OpenIngressRule'; Description = 'Or SgNarrower.IngressRuleChange, or any object with GroupId and the rule''s other property names.' }
    )
    Outputs     = @(
        @{ Type = 'SgNarrower.Reporting.IngressReportFile'; Description = 'Where the report went (Path), its format, and how many rules, runs, accounts and regions it covers.' }
    )
    Notes       = @'
Errors (all terminating, nothing written): InvalidRuleObject, InvalidAuditRecord, AuditRecordUnreadable, AuditRecordNotFound, InvalidUri, PathIsFolder, FileExists, ReportNotWritten; for S3: AccessDenied (names s3:GetObject) and the other S3 errors.
The severity table: a rule open to the world on a high-risk port (Security Hub EC2.19, or all traffic) is Critical where an attached interface is reachable from the internet, High where exposure was not measured, Medium where attached only privately; on another port High, Medium, Low; on TCP 80 or 443 alone Low. A rule of an unattached group is Low. A rule no longer open (Revoked, Narrowed, AlreadyAbsent) is Informational.
'@
    Examples    = @(
        @{
            Title   = 'A report of a scan, with exposure'
            Code    = 'Get-OpenIngressRule -Region us-east-1 -IncludeExposure | Export-IngressReport -Path open-rules.html'
            Remarks = 'Opens in any browser; send it as an attachment.'
        }
        @{
            Title   = 'What a remediation run did, for a change board'
            Code    = 'Get-OpenIngressRule | Export-IngressAudit -BucketName audit | Revoke-OpenIngressRule -Force | Export-IngressReport -Path change-2026-12-06.html'
            Remarks = 'Every rule with its status, error or note, and the record it is in.'
        }
        @{
            Title   = 'One report across runs and accounts'
            Code    = 'Export-IngressReport -RecordUri s3://central-audit/sgnarrower-audit/2026/ -Path estate.html'
            Remarks = 'Reads every record under the prefix; the runs chart shows open rules per run.'
        }
        @{
            Title   = 'A summary for a ticket'
            Code    = 'Export-IngressReport -RecordPath ./records -Path summary.md -First 20'
            Remarks = 'Counts and the 20 most severe rules as Markdown.'
        }
    )
}
