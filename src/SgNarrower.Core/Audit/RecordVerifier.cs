using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.Audit
{
    /// <summary>
    /// Proves a record is one SgNarrower wrote: its signature is there, it covers exactly these bytes, it was made by
    /// a key the admin named, and KMS says it is that key's. Anything less is a problem, named; nothing is inferred.
    /// </summary>
    public static class RecordVerifier
    {
        public static IngressRecordCheck Check(string record, byte[] body, byte[]? sidecar, IReadOnlyList<KmsKey> trusted, Func<KmsKey, IKmsApi> kms, IReadOnlyList<AuditEntry>? entries)
        {
            var sha = RecordSignature.Digest(body);
            var check = new IngressRecordCheck { Record = record, Sha256 = sha, RuleCount = entries?.Count ?? 0, OpenToWorldCount = OpenToWorld(entries) };
            if (sidecar == null)
                return check with { ProblemId = "RecordNotSigned", Problem = $"the record is not signed: there is no {RecordSignature.SidecarOf(Name(record))} beside it, so nothing proves SgNarrower wrote it" };
            RecordSignature signature;
            try { signature = RecordSignature.Parse(sidecar); }
            catch (FormatException e) { return check with { Signed = true, ProblemId = "SignatureUnreadable", Problem = $"its signature cannot be read: {e.Message}" }; }
            check = check with { Signed = true, KeyArn = signature.KeyArn, Algorithm = signature.Algorithm, SignedAt = signature.SignedAt };
            if (!string.Equals(signature.Sha256, sha, StringComparison.Ordinal) || signature.Length != body.LongLength)
                return check with { ProblemId = "RecordChanged", Problem = $"the record is not the one signed: {body.LongLength} bytes with SHA-256 {sha} were read, {signature.Length} bytes with SHA-256 {signature.Sha256} were signed (a line was changed, added or removed)" };
            var key = trusted.FirstOrDefault(k => string.Equals(k.Arn, signature.KeyArn, StringComparison.Ordinal));
            if (key == null)
                return check with
                {
                    ProblemId = "KeyNotTrusted",
                    Problem = trusted.Count == 0
                        ? $"it is signed by {signature.KeyArn}, and no signing key was named: name the key you trust with -SigningKeyId"
                        : $"it is signed by {signature.KeyArn}, which is not a key you named ({string.Join(", ", trusted.Select(k => k.Arn))})",
                };
            if (key.IsMac != IsMac(signature.Algorithm))
                return check with { ProblemId = "SignatureInvalid", Problem = $"its algorithm {signature.Algorithm} is not one key {key.Arn} signs with" };
            bool valid;
            try { valid = kms(key).Verify(key, signature.Algorithm, signature.Message(), Convert.FromBase64String(signature.Signature)); }
            catch (AwsServiceException e) { return check with { ProblemId = "SignatureNotChecked", Problem = $"its signature could not be checked with KMS: {AwsErrors.Explain(e, key.Arn).Message}" }; }
            return valid ? check with { Valid = true } : check with { ProblemId = "SignatureInvalid", Problem = $"its signature does not verify with key {key.Arn}: the record or its signature was made by something else" };
        }

        private static bool IsMac(string algorithm) => algorithm.StartsWith("HMAC_", StringComparison.Ordinal);

        private static string Name(string record) => record.Replace('\\', '/').Split('/').Last();

        /// <summary>The rules a restore would open to the world: a world CIDR, or a prefix list whose open entry is the world.</summary>
        public static int OpenToWorld(IEnumerable<AuditEntry>? entries) =>
            (entries ?? Enumerable.Empty<AuditEntry>()).Count(e => e.Identity.Source.IsWorld
                || (e.Identity.Source.Kind == SourceKind.PrefixList && Cidr.TryParse(e.Rule.OpenEntry, out var entry) && entry.IsWorld));
    }
}
