@{
    Synopsis    = 'Checks that audit records are ones SgNarrower wrote: signed, unchanged, by a KMS key you trust. Changes nothing.'
    Description = @'
Test-IngressRecord reads a record (a local file, or an S3 object) and the signature beside it (the record's name with .sig added), and says whether the record is exactly what was signed, by one of the keys -SigningKeyId names. It grants and revokes nothing: use it before Restore-IngressRule, or to audit a bucket of records.

A record is signed when Export-IngressAudit -SigningKeyId or Revoke-OpenIngressRule -SigningKeyId (its journal) wrote it: KMS signs the SHA-256 and length of the record's exact bytes, with kms:Sign for an asymmetric key (key usage SIGN_VERIFY) or kms:GenerateMac for an HMAC key, and the signature, the key's ARN and the digest are written after the record, beside it, never over another. The check recomputes the digest, compares it with the signed one (one byte changed, a line added or removed: RecordChanged), refuses a key you did not name (KeyNotTrusted), and asks KMS to verify the signature with kms:Verify or kms:VerifyMac (SignatureInvalid). A record without a signature is RecordNotSigned.

Each result says how many rules the record holds, and how many of them a restore would open to the world (0.0.0.0/0, ::/0, or a prefix list holding either).

Records in S3 are read with ExpectedBucketOwner: the caller's own account (sts:GetCallerIdentity) unless -ExpectedBucketOwner names another, so a bucket owned by anyone else is refused by S3.

Required IAM actions: kms:DescribeKey and kms:Verify (or kms:VerifyMac) on the named keys; s3:GetObject for records in S3; sts:GetCallerIdentity.
'@
    Parameters  = @{
        Path                = 'Local record files (JSON Lines or CSV); Get-ChildItem output pipes in by FullName.'
        BucketName          = 'The bucket of a record in S3, with -Key.'
        Key                 = 'The object key of a record in S3, with -BucketName.'
        Uri                 = 'A record in S3 as s3://bucket/key (what results and rules carry as AuditUri, which pipes in).'
        ExpectedBucketOwner = 'The account that must own the bucket: give it for a central bucket of another account (a log archive). Without it, the caller''s own account.'
        S3EndpointUrl       = 'The S3 endpoint, where it is not AWS''s own (an S3-compatible store).'
        Region              = 'The region of the bucket, and of keys named without an ARN. Without it, the region of the default chain.'
        SigningKeyId        = 'The KMS keys whose signatures you trust: key ids, ARNs or aliases. A record signed by any other key is not valid.'
    }
    Inputs      = @(
        @{ Type = 'System.IO.FileInfo'; Description = 'Record files, by FullName.' }
    )
    Outputs     = @(
        @{ Type = 'SgNarrower.IngressRecordCheck'; Description = 'One per record: Valid, Signed, KeyArn, Algorithm, SignedAt, Sha256, RuleCount, OpenToWorldCount, and Problem and ProblemId where it is not valid.' }
    )
    Notes       = @'
Problems (in the output, not errors): RecordNotSigned, RecordChanged, KeyNotTrusted, SignatureInvalid, SignatureUnreadable, SignatureNotChecked, InvalidAuditRecord.
Errors: per record, and the other records are still checked: AuditRecordUnreadable, PathIsFolder, AccessDenied (with a bucket of another owner: name it with -ExpectedBucketOwner). Terminating: InvalidUri, InvalidS3Name, SigningKeyUnusable, a key that cannot be found.
'@
    Examples    = @(
        @{
            Title   = 'Check a record before restoring from it'
            Code    = 'Test-IngressRecord -Uri s3://audit/sgnarrower-audit/2026/12/07/ingress-audit-<run>.jsonl -SigningKeyId alias/sgnarrower-records'
            Remarks = 'Valid only when the record is exactly what the key signed.'
        }
        @{
            Title   = 'Audit a folder of records'
            Code    = 'Get-ChildItem ./records -Filter *.jsonl | Test-IngressRecord -SigningKeyId alias/sgnarrower-records | Where-Object { -not $_.Valid }'
            Remarks = 'Every record that is not signed, changed, or signed by another key, with the reason.'
        }
        @{
            Title   = 'A record in a central log-archive account''s bucket'
            Code    = 'Test-IngressRecord -BucketName org-audit -Key sgnarrower-audit/x.jsonl -ExpectedBucketOwner 222233334444 -SigningKeyId arn:aws:kms:us-east-1:222233334444:key/1234abcd-12ab-34cd-56ef-1234567890ab'
            Remarks = 'The bucket''s owner is confirmed by name; any other owner is refused.'
        }
    )
    Links       = @('Restore-IngressRule', 'Export-IngressAudit')
}
