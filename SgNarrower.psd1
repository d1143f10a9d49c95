@{
    RootModule           = 'SgNarrower.dll'
    ModuleVersion        = '0.6.0'
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
        'Measure-OpenIngressRule'
        'Export-IngressReport'
        'Export-IngressFinding'
        'Test-IngressRecord'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('AWS', 'EC2', 'SecurityGroup', 'Security', 'Compliance', 'Remediation', 'SecurityHub', 'Audit', 'Windows', 'Linux', 'MacOS', 'PSEdition_Desktop', 'PSEdition_Core',
                             # What galleries index commands by; a test keeps these equal to CmdletsToExport.
                             'PSIncludes_Cmdlet', 'PSCmdlet_Get-OpenIngressRule', 'PSCmdlet_Export-IngressAudit', 'PSCmdlet_Revoke-OpenIngressRule', 'PSCmdlet_Restore-IngressRule', 'PSCmdlet_Measure-OpenIngressRule', 'PSCmdlet_Export-IngressReport', 'PSCmdlet_Export-IngressFinding', 'PSCmdlet_Test-IngressRecord')
            ProjectUri   = 'https://github.com/sgnarrower/sgnarrower'
            LicenseUri   = 'https://github.com/sgnarrower/sgnarrower/blob/main/LICENSE'
            ReleaseNotes = @'
0.6.0
- Who opened each rule: Get-OpenIngressRule -CloudTrailUri (a trail's logs in S3, single-account or organisation layout, only the days of the window and the accounts and regions with open rules), -CloudTrailPath, or the shipped Athena query's result (-CloudTrailResultPath/-CloudTrailResultUri) adds OpenedBy, OpenedByType, OpenedByIssuer, OpenedAt, OpenedFrom, OpenedWith and LastChangedAt; a rule opened before the window says so.
- Exceptions as code: -ExceptionPath/-ExceptionUri (JSON, CSV or a PowerShell data file) lists what may stay open, with scope, owner, reason, ticket and end, all required; a rule under a live exception is Excepted by Revoke-OpenIngressRule, findings are SUPPRESSED with the note, and an exception that ends brings its rule back. A file with any bad entry is refused whole; stale entries are warned of.
- Reports of where things stand: one row a rule at its latest state with its history, counts of rules, columns that hold nothing left out, long text in a detail row, exception and provenance columns and filters.
- Calls overlap under the bucket: up to 50 groups of an account and region are changed at once, so EC2's request bucket, not the time it takes to answer, sets the pace (1.02-1.03x the bound at 300 ms a call).
- One JSON reader over UTF-8 bytes: the offline scan of a 227 MB export takes 12.5x less time than jq in a warm session.

0.5.0
- Plans EC2 will carry out: an open rule is edited in place only into a source of its own type; narrowing 0.0.0.0/0 to a security group, or a prefix list to its measured CIDR cover, grants the replacement and then revokes the open rule (NewRuleIds names the new rule), and restores exactly.
- Quotas known before the first call: a narrowing or restore that would take a group past its inbound rule quota (60 per address family, prefix lists at MaxEntries) is refused before anything is granted (RuleQuotaExceeded); -RuleQuota states an account's raised quota.
- Failed always means unchanged: what a run granted or tagged for a rule that was not narrowed is taken back and checked; where that fails too the rule is Incomplete, naming what is left.
- Run ids in sgnarrower:replacement and sgnarrower:narrowed tags are never cut: past 256 characters they go on in .2, .3 and so on, so any number of runs that share a replacement restore exactly.
- Text is text: control and bidirectional characters (NUL included) are refused in every address, id, region, tag selector, bucket and key handed in, showing where; a recorded description EC2 would refuse is not granted (DescriptionNotAccepted).
- The event-driven closer takes the group from CloudTrail's response, so an AuthorizeSecurityGroupIngress that names its group by groupName is closed too.
- The remediate and restore policies add ec2:DescribeManagedPrefixLists (prefix lists count against a group's quota).
- Records only SgNarrower wrote: Export-IngressAudit -SigningKeyId (and Revoke's journal, the runbooks and the event closer) sign a record's exact bytes with a KMS key (kms:Sign or kms:GenerateMac), the signature written beside it as <record>.sig. Restore-IngressRule -SigningKeyId checks it before planning and refuses the whole record if a byte, a line or the key differs; unsigned records, and objects read from files, are refused unless -TrustUnsignedRecord, after a prompt that says how many rules they open to the world. New: Test-IngressRecord. New policies: sgnarrower-sign-records.json, sgnarrower-verify-records.json.
- Records in S3 are written and read with ExpectedBucketOwner: the caller's own account unless -ExpectedBucketOwner names another. A restore looks up its account before opening anything and refuses lines of another account unless -RoleName reaches it.
- build.ps1 -Task Demo runs the whole job against the project's own endpoint; the README is a page to start from, the detail is in docs/.
0.4.0
- Export-IngressReport: one self-contained HTML page (or Markdown) of open rules, exposure, evidence, changes and records, from the pipeline or from records of many runs, local or in S3; sortable, filterable, paged, printable.
- Export-IngressFinding: ASFF findings for Security Hub in BatchImportFindings batches, with stable ids that later runs update (resolved after revoke, failed again after restore), and OCSF Detection Findings for Security Lake and SIEMs; one documented severity table. The SSM document imports them when ImportFindings is true.
- Records carry exposure, replacements and notes, and read evidence back.
- Change results piped on (into Export-IngressAudit, Restore-IngressRule, Export-IngressReport) keep every field of their rule; they now show NetworkInterfaceCount, AttachedTo and ObservedSourcesLeftOut too.
- Inside: namespaces as layers without cycles; one field table through which pipeline input, records and our own objects are read and written; the live scan, Measure's run and plan-confirm-record-execute in the core.
0.3.0
- Every call is signed for the region it acts in, however the endpoint is configured (AWS_ENDPOINT_URL, a profile's endpoint_url, -EndpointUrl); an answer from another region or account is a WrongScope error and nothing in that scope changes.
- Truthful under races: a rule someone else removed after planning is AlreadyAbsent, never Revoked; two runs never both claim one change. Edits always carry their description.
- Unambiguous input or none: addresses only in the one form AWS writes (no leading zeros), JSON keys given twice and descriptions over 255 characters are refused.
- Evidence lists every source (up to 10,000 per rule); prefix-list rules are narrowed in their own group; Measure-OpenIngressRule reads an Athena aggregate of the flow logs (-AggregatePath, -AggregateUri; sql/flow-log-aggregate.sql).
- Revoke and Restore plan ahead of their changes in batches of 200 groups: the first changes go out while rules still arrive, at EC2's bucket rate.
- Results show status, group, rule and region on one line, the error wrapped below.
0.2.0
- Every change is planned against the security group as EC2 holds it now: recorded rule ids are hints, a rule edited in place is never touched, lost replies are verified and never reported as AlreadyAbsent.
- Input is complete or refused; narrowing never widens; S3 names are checked; CSV records are safe to open in a spreadsheet.
- Whole estates: every SDK credential source (assumed roles, IAM Identity Center, web identity, credential_process, container and instance roles), -AccountId/-RoleName, region wildcards, scopes at once, calls paced to EC2's request buckets.
- Narrowing to one source edits the rule in place: one mutating call per group; restores edit it back.
- Tables that fit 80 columns; help with -WhatIf/-Confirm and default values; Export-IngressAudit writes its summary as the last command.
0.1.0
- Get-OpenIngressRule, Export-IngressAudit, Revoke-OpenIngressRule and Restore-IngressRule.
'@
        }
    }
}
