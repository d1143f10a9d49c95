using System.Security.Cryptography;
using SgNarrower.Audit;
using SgNarrower.AwsApi;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>
/// Records only SgNarrower wrote: a record is signed over its exact bytes and checked whole; one byte, one line more or
/// less, another key or a swapped signature, and it is refused. Keys are held in memory here (real HMAC and ECDSA).
/// </summary>
public sealed class SignedRecordTests : IDisposable
{
    /// <summary>KMS in memory: an HMAC key and an ECDSA key, signing and verifying as KMS does.</summary>
    private sealed class MemoryKms : IKmsApi
    {
        public readonly Dictionary<string, byte[]> Hmac = new();
        public readonly Dictionary<string, ECDsa> Ecdsa = new();
        public int Verifies;
        public string Region => "us-east-1";
        public KmsKey Describe(string keyId) =>
            Hmac.ContainsKey(keyId) ? new KmsKey(keyId, "HMAC_SHA_256", true)
            : Ecdsa.ContainsKey(keyId) ? new KmsKey(keyId, "ECDSA_SHA_256", false)
            : throw new AwsServiceException("kms", "DescribeKey", "NotFoundException", $"Key '{keyId}' does not exist", 400);
        public byte[] Sign(KmsKey key, byte[] message) =>
            key.IsMac ? HMACSHA256.HashData(Hmac[key.Arn], message) : Ecdsa[key.Arn].SignData(message, HashAlgorithmName.SHA256);
        public bool Verify(KmsKey key, string algorithm, byte[] message, byte[] signature)
        {
            Verifies++;
            return key.IsMac ? CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Hmac[key.Arn], message), signature)
                : Ecdsa[key.Arn].VerifyData(message, signature, HashAlgorithmName.SHA256);
        }
    }

    private const string Ours = "arn:aws:kms:us-east-1:123456789012:key/ours";
    private const string Mac = "arn:aws:kms:us-east-1:123456789012:key/mac";
    private const string Theirs = "arn:aws:kms:us-east-1:999999999999:key/theirs";
    private readonly MemoryKms _kms = new();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "sgn-signed-" + Guid.NewGuid().ToString("N"));

    public SignedRecordTests()
    {
        _kms.Ecdsa[Ours] = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _kms.Ecdsa[Theirs] = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _kms.Hmac[Mac] = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(_folder);
    }

    public void Dispose() => Directory.Delete(_folder, true);

    private static List<AuditEntry> Rules() => new[] { ("sg-1", 22, "0.0.0.0/0"), ("sg-1", 443, "10.0.0.0/8"), ("sg-2", 3389, "::/0") }
        .Select(r => RuleInput.FromRule(new OpenIngressRule
        {
            Region = "us-east-1", GroupId = r.Item1, IpProtocol = "tcp", FromPort = r.Item2, ToPort = r.Item2,
            CidrIpv4 = r.Item3.Contains(':') ? null : r.Item3, CidrIpv6 = r.Item3.Contains(':') ? r.Item3 : null,
        })).ToList();

    private string Write(string keyArn, string name = "record.jsonl")
    {
        var path = Path.Combine(_folder, name);
        var summary = AuditRecorder.Write(Rules(), AuditRunInfo.New("test"), AuditFormat.JsonLines,
            new AuditDestination(FilePath: path, Signer: new RecordSigner(_kms, _kms.Describe(keyArn))));
        Assert.Equal(keyArn, summary.SigningKeyArn);
        return path;
    }

    private IngressRecordCheck Check(string path, params string[] trusted)
    {
        var record = StoredRecord.Load(RecordLocation.File(path), null, null);
        var entries = AuditRecordReader.Read(record.Text());
        return RecordVerifier.Check(path, record.Body, record.Signature, trusted.Select(_kms.Describe).ToList(), _ => _kms, entries);
    }

    [Theory]
    [InlineData(Ours)]
    [InlineData(Mac)]
    public void A_signed_record_verifies_with_its_key_and_says_what_it_would_open(string key)
    {
        var path = Write(key);
        Assert.True(File.Exists(path + ".sig"));
        var check = Check(path, key);
        Assert.True(check.Valid, check.Problem);
        Assert.Equal((true, key, 3, 2), (check.Signed, check.KeyArn, check.RuleCount, check.OpenToWorldCount));
    }

    public static IEnumerable<object[]> Tamperings => new[]
    {
        new object[] { "a line changed", (Func<string, string>)(t => t.Replace("\"FromPort\":443,\"ToPort\":443", "\"FromPort\":2323,\"ToPort\":2323")) },
        new object[] { "a line added", (Func<string, string>)(t => t + t.Split('\n').First(l => l.Contains("\"FromPort\":22"))!.Replace(":22,", ":2323,") + "\n") },
        new object[] { "a line removed", (Func<string, string>)(t => string.Join("\n", t.Split('\n').Where(l => !l.Contains("3389")))) },
        new object[] { "one byte", (Func<string, string>)(t => t.Replace("sg-2", "sg-3")) },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void A_record_changed_after_it_was_signed_is_refused_whole(string what, Func<string, string> change)
    {
        var path = Write(Ours);
        File.WriteAllText(path, change(File.ReadAllText(path)));
        var check = Check(path, Ours);
        Assert.False(check.Valid, what);
        Assert.Equal("RecordChanged", check.ProblemId);
    }

    [Fact]
    public void A_signature_swapped_from_another_record_or_forged_does_not_verify()
    {
        var path = Write(Ours);
        var other = Path.Combine(_folder, "other.jsonl");
        File.WriteAllText(other, File.ReadAllText(path).Replace("sg-2", "sg-9"));
        File.Copy(path + ".sig", other + ".sig");
        Assert.Equal("RecordChanged", Check(other, Ours).ProblemId);

        // A forger who writes the digest of the new bytes into the signature file still cannot sign it.
        var forged = RecordSignature.Parse(File.ReadAllBytes(path + ".sig"));
        var body = File.ReadAllBytes(other);
        File.WriteAllBytes(other + ".sig", (forged with { Sha256 = RecordSignature.Digest(body), Length = body.LongLength }).ToBytes());
        var check = Check(other, Ours);
        Assert.Equal("SignatureInvalid", check.ProblemId);
        Assert.True(_kms.Verifies > 0);
    }

    [Fact]
    public void A_record_signed_by_a_key_not_named_is_refused_and_an_unsigned_one_says_so()
    {
        var path = Write(Theirs);
        Assert.Equal("KeyNotTrusted", Check(path, Ours).ProblemId);
        Assert.Contains("-SigningKeyId", Check(path).Problem);
        File.Delete(path + ".sig");
        var unsigned = Check(path, Ours);
        Assert.Equal(("RecordNotSigned", false, 2), (unsigned.ProblemId, unsigned.Signed, unsigned.OpenToWorldCount));
    }

    [Fact]
    public void A_signature_file_that_is_not_one_is_refused()
    {
        var path = Write(Ours);
        File.WriteAllText(path + ".sig", "{\"RecordType\":\"SgNarrowerRecordSignature\",\"FormatVersion\":1,\"KeyArn\":\"" + Ours + "\"}");
        Assert.Equal("SignatureUnreadable", Check(path, Ours).ProblemId);
    }

    [Fact]
    public void A_key_that_cannot_sign_writes_no_record()
    {
        var path = Path.Combine(_folder, "never.jsonl");
        var failing = new RecordSigner(new FailingKms(), new KmsKey(Ours, "ECDSA_SHA_256", false));
        var e = Assert.Throws<AuditWriteException>(() => AuditRecorder.Write(Rules(), AuditRunInfo.New("test"), AuditFormat.JsonLines, new AuditDestination(FilePath: path, Signer: failing)));
        Assert.Equal("RecordNotSigned", e.ErrorId);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".sig"));
    }

    private sealed class FailingKms : IKmsApi
    {
        public string Region => "us-east-1";
        public KmsKey Describe(string keyId) => throw new NotSupportedException();
        public byte[] Sign(KmsKey key, byte[] message) => throw new AwsServiceException("kms", "Sign", "AccessDeniedException", "not allowed", 400);
        public bool Verify(KmsKey key, string algorithm, byte[] message, byte[] signature) => false;
    }
}
