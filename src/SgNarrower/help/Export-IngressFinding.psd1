@{
    Synopsis    = 'Writes findings for AWS Security Hub (ASFF, in batches BatchImportFindings takes) or for Security Lake and SIEMs (OCSF Detection Finding), one per open rule.'
    Description = @'
Export-IngressFinding reads the same input as Export-IngressReport - rules, change results and evidence from the pipeline, and records from -RecordPath and -RecordUri - and writes one finding per rule (per account, region, group, protocol, ports and source) into the folder -Path names.

-Format Asff (the default) writes AWS Security Finding Format for Security Hub: files named sgnarrower-asff-<account>-<region>-<nnn>.json, each a JSON array of at most 100 findings and 6 MB of one account and region, as BatchImportFindings takes them (a finding is imported in its own account and region). Each finding has a stable Id - the group's ARN, then the rule's protocol, ports and source - so that a later import updates the same finding: after Revoke-OpenIngressRule it is Compliance.Status PASSED, Workflow.Status RESOLVED and RecordState ARCHIVED; after Restore-IngressRule it is FAILED, NEW and ACTIVE again. The resource is an AwsEc2SecurityGroup with the group's name, id, owner, VPC, tags and the rule's permission; Compliance.RelatedRequirements names the Security Hub control it fails (aws-foundational-security-best-practices/v/1.0.0/EC2.19 for a high-risk port or all traffic, EC2.18 for another port; a rule open on TCP 80 or 443 alone is WARNING with no control). Severity and Types are given in FindingProviderFields too, where Security Hub takes a provider's later updates to them; Security Hub itself manages Workflow.Status after a finding is created (it sets NEW again when a finding goes back to FAILED or ACTIVE).

Import a file with the AWS CLI, with credentials for the file's account: aws securityhub batch-import-findings --region <region> --findings file://<file>. Each output object's ImportCommand gives that line.

-Format Ocsf writes sgnarrower-ocsf.json, a JSON array of OCSF 1.1.0 Detection Findings (class_uid 2004, category Findings, cloud profile) with the same ids, words, severity and state: activity Create for a rule found open, Update for one a change left open or put back, Close once it is gone; status New or Resolved.

A rule without an account (OwnerId) or region cannot be a finding; the command stops and says so, and nothing is written.
'@
    Parameters  = @{
        InputObject         = 'Rules and change results from the pipeline: the output of Get-OpenIngressRule, Measure-OpenIngressRule, Revoke-OpenIngressRule and Restore-IngressRule, or objects with the same property names.'
        RecordPath          = 'Record files (JSON Lines or CSV), or folders whose .jsonl and .csv files, in subfolders too, are all read. Where one rule is in several records, the latest says where it stands.'
        RecordUri           = 's3://bucket/key for one record, or s3://bucket/prefix/ for every record under the prefix (needs s3:GetObject, and s3:ListBucket for a prefix).'
        Region              = 'The region of the bucket -RecordUri reads. Without it, the region of the default chain.'
        ExpectedBucketOwner = 'The 12-digit account id that must own the bucket -RecordUri reads, for a central bucket of another account. Without it, the caller''s own account.'
        Path                = 'The folder to write the files into; created if it does not exist. Existing files are not overwritten without -Force.'
        Format              = 'Asff (the default) for Security Hub, or Ocsf for Security Lake and SIEMs.'
        Force               = 'Overwrites existing files of the same names.'
    }
    Defaults    = @{ Format = 'Asff' }
    Inputs      = @(
        @{ Type = 'SgNarrower.OpenIngressRule'; Description = 'Or SgNarrower.IngressRuleChange, or any object with GroupId, OwnerId, Region and the rule''s other property names.' }
    )
    Outputs     = @(
        @{ Type = 'SgNarrower.Findings.FindingFile'; Description = 'One per file written: its format, path, account and region (ASFF), how many findings it holds, and the AWS CLI line that imports it.' }
    )
    Notes       = @'
Errors (all terminating, nothing written): InvalidRuleObject, InvalidAuditRecord, AuditRecordUnreadable, AuditRecordNotFound, InvalidUri, FindingScopeUnknown, PathIsFile, FileExists, FindingsNotWritten.
Severity (Critical, High, Medium, Low, Informational) follows the table in Get-Help Export-IngressReport -Full: exposure and port, Informational once the rule is no longer open.
'@
    Examples    = @(
        @{
            Title   = 'Findings for Security Hub, imported with the AWS CLI'
            Code    = 'Get-OpenIngressRule -IncludeExposure | Export-IngressFinding -Path ./findings | ForEach-Object { aws securityhub batch-import-findings --region $_.Region --findings "file://$($_.Path)" }'
            Remarks = 'One call per file; each file holds one account and region.'
        }
        @{
            Title   = 'Resolve the findings after a remediation run'
            Code    = 'Get-OpenIngressRule | Export-IngressAudit -BucketName audit | Revoke-OpenIngressRule -Force | Export-IngressFinding -Path ./findings -Force'
            Remarks = 'The same finding ids, now PASSED, RESOLVED and ARCHIVED; importing them updates the findings in Security Hub.'
        }
        @{
            Title   = 'OCSF for a SIEM, from every record of a month'
            Code    = 'Export-IngressFinding -RecordUri s3://central-audit/sgnarrower-audit/2026/11/ -Path ./ocsf -Format Ocsf'
            Remarks = 'One JSON array of Detection Findings, each rule at its latest state.'
        }
    )
}
