@{
    Synopsis    = 'Records ingress rules durably - in S3, a local file, or both - before anything changes them.'
    Description = @'
Export-IngressAudit collects the rules that come down the pipeline, writes one audit record, and only when the write has succeeded passes the rules on, each stamped with AuditUri (where the record is) and AuditRunId. If the write fails, the error is terminating and nothing is passed on: in 'Get-OpenIngressRule | Export-IngressAudit -BucketName b | Revoke-OpenIngressRule' nothing is revoked without its record.

It takes the output of Get-OpenIngressRule, objects with the same property names (Import-Csv, ConvertFrom-Json), and the results of Revoke-OpenIngressRule (their Status and Error are recorded too).

The record is JSON Lines by default - one self-contained line per rule with RecordType, FormatVersion, RunId, RecordedAt (UTC), Tool, OwnerId (the account), Region, VpcId, GroupId, GroupName, SecurityGroupRuleId, IpProtocol, FromPort, ToPort, CidrIpv4 or CidrIpv6, Description, Tags and GroupTags - or CSV with the same columns (-Format Csv, or a -Path or -Key ending in .csv). A rule whose source is a prefix list has PrefixListId instead of a CIDR. Restore-IngressRule puts rules back from it. When nothing comes down the pipeline, the record still says so: one line of RecordType Run with RuleCount 0, because an auditor wants to know that a run found nothing.

In S3, each run gets a new key (sgnarrower-audit/yyyy/MM/dd/ingress-audit-<run id>.jsonl under -KeyPrefix), written with If-None-Match: * so that an existing object is never overwritten, with server-side encryption (AES256 by default, aws:kms with -KmsKeyId), with ExpectedBucketOwner always sent (the caller's own account, looked up with sts:GetCallerIdentity, unless -ExpectedBucketOwner names another, such as a central log-archive account, so a mistyped or lapsed bucket owned by anyone else never receives the inventory), and with Content-MD5 and SHA-256 checksums. The body is sent whole, not in aws-chunked encoding, so S3-compatible stores reached through -EndpointUrl (addressed path-style) store it as sent. A local file is written to a temporary file beside it and moved into place, so it is never left half-written, and an existing file is not overwritten without -Force.

With -SigningKeyId the record is signed, so that Restore-IngressRule and Test-IngressRecord can prove SgNarrower wrote it: KMS signs the SHA-256 and length of the record's exact bytes (kms:Sign with an asymmetric SIGN_VERIFY key, or kms:GenerateMac with an HMAC key), before anything is written; the signature, the key's ARN and the digest go beside the record, after it, as <record>.sig (locally, and in S3 with If-None-Match: *, never over another). A key that cannot sign writes nothing, so nothing downstream changes.

Required IAM actions for S3: s3:PutObject and sts:GetCallerIdentity (and kms:GenerateDataKey on the key with aws:kms); with -SigningKeyId, kms:DescribeKey and kms:Sign (or kms:GenerateMac) on it.
'@
    Parameters  = @{
        InputObject          = 'The rules to record, from the pipeline: Get-OpenIngressRule output, Import-Csv or ConvertFrom-Json objects with the same property names, or Revoke-OpenIngressRule results. An object without a GroupId is an error; it is neither recorded nor passed on.'
        BucketName           = 'The S3 bucket to write the record to.'
        SigningKeyId         = 'A KMS key (id, ARN or alias) that signs the record: an asymmetric key with key usage SIGN_VERIFY, or an HMAC key. Its signature is written beside the record as <record>.sig.'
        Key                  = 'The whole object key. Without it, each run gets a new dated key. An existing object with this key is not overwritten (If-None-Match: *; the call fails with AuditRecordExists).'
        KeyPrefix            = 'A prefix for the per-run key, instead of sgnarrower-audit/.'
        Region               = 'The region of the bucket. Without it, the region of the default chain.'
        ServerSideEncryption = 'AES256 (the default), aws:kms, or None for stores that do not support encryption headers.'
        KmsKeyId             = 'A KMS key id or ARN: encrypts the record with aws:kms under that key.'
        ExpectedBucketOwner  = 'The 12-digit account id that must own the bucket, for a central bucket of another account (a log archive). Without it, the caller''s own account: S3 refuses the write if anyone else owns the bucket.'
        Path                 = 'A local file to write the record to, or a folder to write a new per-run file into. An existing file is not overwritten without -Force.'
        Force                = 'Overwrites an existing local file given by -Path. Does not affect S3.'
        Format               = 'JsonLines (the default) or Csv, for people who open the record in a spreadsheet. A -Path or -Key ending in .csv means Csv unless -Format says otherwise.'
        Summary              = 'Writes one IngressAuditSummary object (run id, rule count, S3 URI, ETag, version id, path, SHA-256) instead of passing the rules on, wherever the command stands in the pipeline.'
        PassThru             = 'Passes the rules on even as the last command of a pipeline. Without it, the rules pass on only when another command follows (Get-OpenIngressRule | Export-IngressAudit | Revoke-OpenIngressRule works as it is); as the last command, Export-IngressAudit writes the record''s summary instead of every rule.'
    }
    Defaults    = @{ ServerSideEncryption = 'AES256' }
    Inputs      = @(
        @{ Type = 'SgNarrower.OpenIngressRule'; Description = 'Or any object with GroupId and the rule''s other property names.' }
    )
    Outputs     = @(
        @{ Type = 'SgNarrower.OpenIngressRule'; Description = 'When a command follows (or with -PassThru): the input rules, passed on after the record is written, with AuditUri and AuditRunId set. Other input objects pass on as they came, with AuditUri and AuditRunId note properties.' }
        @{ Type = 'SgNarrower.IngressAuditSummary'; Description = 'As the last command of a pipeline, or with -Summary: where the record went.' }
    )
    Notes       = @'
Either way, a line saying where the record went is written to the host (the information stream, tag SgNarrower).
With -WhatIf nothing is written, and the objects pass on without AuditUri: nothing claims to be recorded.
Errors (all terminating, nothing passed on): NoDestination, ParameterConflict, AuditBucketNotFound, AccessDenied (names s3:PutObject), AuditRecordExists, EndpointUnreachable, AuditFileNotWritten, AuditFileAccessDenied; per object: InvalidRuleObject.
'@
    Examples    = @(
        @{
            Title   = 'Record to S3, then revoke'
            Code    = 'Get-OpenIngressRule | Export-IngressAudit -BucketName my-audit-bucket | Revoke-OpenIngressRule'
            Remarks = 'Nothing reaches Revoke-OpenIngressRule unless the record is safely in S3.'
        }
        @{
            Title   = 'Record to S3 and to a local folder, encrypted with KMS'
            Code    = 'Get-OpenIngressRule -Region eu-west-1 | Export-IngressAudit -BucketName audit -KmsKeyId alias/audit -ExpectedBucketOwner 123456789012 -Path ./records -Summary'
            Remarks = 'Writes the same record twice and shows where it went.'
        }
        @{
            Title   = 'A CSV for a spreadsheet'
            Code    = 'Get-OpenIngressRule -Path groups.json | Export-IngressAudit -Path open-rules.csv -Format Csv -Summary'
            Remarks = 'The CSV can be read back with Import-Csv, or by Restore-IngressRule.'
        }
        @{
            Title   = 'An S3-compatible store'
            Code    = 'Get-OpenIngressRule | Export-IngressAudit -BucketName audit -EndpointUrl http://127.0.0.1:4568 -ServerSideEncryption None'
            Remarks = 'Path-style addressing and an unchunked body work with S3-compatible servers.'
        }
    )
    Links       = @('Get-OpenIngressRule', 'Revoke-OpenIngressRule', 'Restore-IngressRule')
}
