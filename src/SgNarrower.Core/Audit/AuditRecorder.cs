using SgNarrower.AwsApi;

namespace SgNarrower.Audit
{
    /// <summary>
    /// Writes one audit record: the local file first (atomically), then S3 (whole body, checksums, no overwrite).
    /// Export-IngressAudit and Revoke-OpenIngressRule's journal both write through here.
    /// </summary>
    public static class AuditRecorder
    {
        public static IngressAuditSummary Write(IReadOnlyList<AuditEntry> entries, AuditRunInfo run, AuditFormat format, AuditDestination to)
        {
            var bytes = AuditRecordFormat.Write(entries, run, format);
            var summary = new IngressAuditSummary
            {
                RunId = run.RunId, RecordedAt = run.RecordedAt, RuleCount = entries.Count, Format = format.ToString(), Sha256 = RecordSignature.Digest(bytes),
            };
            // Signed before anything is written: a key that cannot sign writes no record (and so nothing is changed).
            byte[]? signature = null;
            if (to.Signer != null)
            {
                try { signature = to.Signer.Sign(bytes).ToBytes(); }
                catch (AwsServiceException e)
                {
                    var info = AwsErrors.Explain(e, to.Signer.Key.Arn);
                    throw new AuditWriteException("RecordNotSigned", info.Kind, $"The audit record was not written: it could not be signed with {to.Signer.Key.Arn}. {info.Message}", to.Signer.Key.Arn, e);
                }
                summary.SigningKeyArn = to.Signer.Key.Arn;
            }
            if (to.FilePath != null)
            {
                try
                {
                    AuditFile.WriteAtomically(to.FilePath, bytes, to.OverwriteFile);
                    summary.Path = to.FilePath;
                    // The signature after the record it signs.
                    if (signature != null) AuditFile.WriteAtomically(RecordSignature.SidecarOf(to.FilePath), signature, to.OverwriteFile);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw new AuditWriteException(e is UnauthorizedAccessException ? "AuditFileAccessDenied" : "AuditFileNotWritten", FailureKind.WriteFailed,
                        $"The audit record was not written to '{to.FilePath}': {e.Message}", to.FilePath, e);
                }
            }
            if (to.S3 != null)
            {
                var uri = $"s3://{to.Bucket}/{to.Key}";
                try
                {
                    var result = to.S3.PutObject(new PutObjectSpec
                    {
                        Bucket = to.Bucket!, Key = to.Key!, Body = bytes, ContentType = AuditRecordFormat.ContentType(format),
                        ServerSideEncryption = to.ServerSideEncryption, KmsKeyId = to.KmsKeyId, ExpectedBucketOwner = to.ExpectedBucketOwner,
                        IfNoneMatch = true,
                    });
                    summary.BucketName = to.Bucket;
                    summary.Key = to.Key;
                    summary.ETag = result.ETag;
                    summary.VersionId = result.VersionId;
                    if (signature != null)
                    {
                        uri = $"s3://{to.Bucket}/{RecordSignature.SidecarOf(to.Key!)}";
                        to.S3.PutObject(new PutObjectSpec
                        {
                            Bucket = to.Bucket!, Key = RecordSignature.SidecarOf(to.Key!), Body = signature, ContentType = "application/json",
                            ServerSideEncryption = to.ServerSideEncryption, KmsKeyId = to.KmsKeyId, ExpectedBucketOwner = to.ExpectedBucketOwner,
                            IfNoneMatch = true,
                        });
                    }
                }
                catch (AwsServiceException e)
                {
                    var info = AwsErrors.Explain(e, uri);
                    var local = summary.Path != null ? $" The local record at '{summary.Path}' was written and stays." : "";
                    throw new AuditWriteException(e.ErrorCode == "NoSuchBucket" ? "AuditBucketNotFound" : info.ErrorId, info.Kind,
                        $"The audit record was not stored in S3. {info.Message}{local}", uri, e);
                }
            }
            return summary;
        }

    }
}
