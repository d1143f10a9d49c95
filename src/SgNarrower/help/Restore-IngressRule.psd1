@{
    Synopsis    = 'Puts ingress rules back exactly as they were recorded.'
    Description = @'
Restore-IngressRule reads a record written by Export-IngressAudit or Revoke-OpenIngressRule's journal - a local file (-Path), an S3 object (-BucketName and -Key, or an s3:// -Uri) - or takes rules and results from the pipeline, and grants each rule back exactly: protocol, ports, source and description. The whole record is read before anything is granted: a malformed line, or a record of an unknown format version, is an error that names the line, and nothing is granted.

Every line must be a complete rule (GroupId, IpProtocol, a source, and ports for tcp, udp and ICMP, in range): nothing is granted from incomplete input, and nothing is defaulted. Status is read by name or by number (ConvertTo-Json and Import-Clixml turn it into a number).

The restore is planned against the groups as they are now: a rule whose identity (protocol, ports, source) is there already is AlreadyPresent, not an error; the missing ones are granted with one AuthorizeSecurityGroupIngress call per group, with their recorded descriptions, tagged sgnarrower:restored. Results come from what EC2 says it created; after a lost reply, one more describe decides. A rule's own Region wins over -Region.

Replacement rules that narrowing added for this record's run (tagged sgnarrower:replacement with the record's run id) on the same protocol and ports are removed once the rule they replaced is back, so that you end up exactly where you started; a replacement that another run's narrowing shares keeps that run's id and stays. Replacements of other runs, and rules SgNarrower did not add, are never removed. -KeepReplacement keeps them all. A rule narrowing edited in place (same rule type) is edited back and keeps its id; any other is granted anew. A grant that would take a group past its rule quota (60 inbound rules per address family by default, or -RuleQuota) is refused before anything is granted (RuleQuotaExceeded), as is a recorded description EC2 would refuse (more than 255 characters, or a character outside a-z, A-Z, 0-9, space and ._-:/()#,@[]+=&;{}!$*: DescriptionNotAccepted). Result lines whose status says SgNarrower did not remove the rule (AlreadyAbsent, Failed, Skipped) are not put back.

A restore opens what a record says, so it trusts only records it can prove SgNarrower wrote. A record signed by Export-IngressAudit -SigningKeyId or Revoke-OpenIngressRule -SigningKeyId is checked before anything is planned: its signature (the record's name with .sig added) must cover exactly its bytes and be made by a key -SigningKeyId names (kms:Verify or kms:VerifyMac); one byte changed, a line added or removed, another key or a signature that does not verify, and the whole record is refused (RecordChanged, KeyNotTrusted, SignatureInvalid, SignatureUnreadable) and nothing is granted. An unsigned record, and objects read from a file (Import-Csv, ConvertFrom-Json, Import-Clixml), are refused (RecordNotSigned) unless -TrustUnsignedRecord says you have read them yourself; then one prompt, and -WhatIf, say how many rules it would open to the world, before the per-rule prompts. Change results of this session (Revoke-OpenIngressRule's own objects) need no signature. Test-IngressRecord checks a record without changing anything.

Records in S3 are read with ExpectedBucketOwner: the caller's own account (sts:GetCallerIdentity) unless -ExpectedBucketOwner names another (a central log-archive account), so a bucket owned by anyone else is refused by S3 and nothing is read from it.

The account it acts in is looked up before anything is opened (sts:GetCallerIdentity): a line naming another account (OwnerId) is refused (AccountMismatch) unless -RoleName reaches that account.

Every (account, region) is restored at once (at most -ThrottleLimit), paced to EC2's request buckets (see -RateShare); within each, up to 50 groups are put back at once, one group's calls in order, so that the bucket and not the time EC2 takes to answer sets the pace.

Required IAM actions: kms:DescribeKey and kms:Verify (or kms:VerifyMac) for signed records, sts:GetCallerIdentity, ec2:DescribeManagedPrefixLists, ec2:AuthorizeSecurityGroupIngress, ec2:DescribeSecurityGroupRules, ec2:RevokeSecurityGroupIngress (to remove replacements), ec2:CreateTags, and s3:GetObject for a record in S3.
'@
    Parameters  = @{
        AccountId           = 'The account for rules that do not name one (OwnerId). A rule''s own OwnerId always wins; with -RoleName the role is assumed in each rule''s account.'
        Path                = 'A local record (JSON Lines or CSV).'
        BucketName          = 'The bucket of a record in S3.'
        Key                 = 'The key of a record in S3.'
        Uri                 = 'The record as s3://bucket/key (the AuditUri of an exported rule), or a file path.'
        ExpectedBucketOwner = 'The 12-digit account id that must own the bucket, for a central bucket of another account (a log archive). Without it, the caller''s own account: S3 refuses the read if anyone else owns the bucket.'
        S3EndpointUrl       = 'The URL to read an S3 record from (a VPC interface endpoint or an S3-compatible store), when it differs from -EndpointUrl, which is used for EC2.'
        InputObject         = 'Rules or results from the pipeline, for example Revoke-OpenIngressRule output.'
        KeepReplacement     = 'Keeps the replacement rules that narrowing added.'
        Region              = 'The region of rules that do not carry one (a rule''s own Region always wins), and of the bucket. Without it, the region of the default chain.'
        RuleQuota           = 'Inbound rules a group may hold per address family: 60 by default, as EC2; give the account''s raised quota (Service Quotas L-0EA8095F) if it has one.'
        SigningKeyId        = 'The KMS keys (ids, ARNs or aliases) whose signatures you trust. A signed record is restored only when one of them signed exactly its bytes.'
        TrustUnsignedRecord = 'Restores from a record that is not signed, or from objects read from a file, after one prompt that says how many rules it opens to the world. Only for input you have read yourself.'
        Force               = 'Does not ask for confirmation. -WhatIf still wins.'
    }
    Inputs      = @(
        @{ Type = 'SgNarrower.IngressRuleChange'; Description = 'Or rules, or any object with the rule''s property names.' }
    )
    Outputs     = @(
        @{ Type = 'SgNarrower.IngressRuleChange'; Description = 'One per rule: Status Restored (NewRuleIds holds the new rule id), AlreadyPresent, Skipped or Failed.' }
    )
    Notes       = @'
Errors: terminating: RecordNotSigned, RecordChanged, KeyNotTrusted, SignatureInvalid, SignatureUnreadable (nothing granted), InvalidAuditRecord (names the line), AuditRecordUnreadable, InvalidUri, InvalidRuleObject, NoSuchKey, AccessDenied for s3:GetObject; per group: AccessDenied (names ec2:AuthorizeSecurityGroupIngress), RulesPerSecurityGroupLimitExceeded and others, while other groups go on.
'@
    Examples    = @(
        @{
            Title   = 'Put back from an S3 record'
            Code    = 'Restore-IngressRule -Uri s3://audit/sgnarrower-audit/2026/11/26/ingress-audit-20261126T120000Z-1a2b3c4d5e6f.jsonl -Force'
            Remarks = 'Grants every recorded rule back and removes the replacements that narrowing added.'
        }
        @{
            Title   = 'Put back from a signed record, trusting only your key'
            Code    = 'Restore-IngressRule -Uri s3://audit/sgnarrower-audit/2026/12/07/ingress-audit-20261207T120000Z-1a2b3c4d5e6f.jsonl -SigningKeyId alias/sgnarrower-records -Force'
            Remarks = 'The record is checked whole against the key before anything is granted.'
        }
        @{
            Title   = 'See the plan first'
            Code    = 'Restore-IngressRule -Path ./records/ingress-audit-20261126T120000Z-1a2b3c4d5e6f.jsonl -WhatIf'
            Remarks = 'Lists each rule it would grant back.'
        }
        @{
            Title   = 'Undo what a revoke just did'
            Code    = '$results = Get-OpenIngressRule | Revoke-OpenIngressRule -Force; $results | Restore-IngressRule -Force'
            Remarks = 'Only the rules whose status is Revoked or Narrowed are put back.'
        }
    )
    Links       = @('Revoke-OpenIngressRule', 'Export-IngressAudit', 'Test-IngressRecord', 'Get-OpenIngressRule')
}
