using System.Security.Cryptography;
using SgNarrower.Json;

namespace SgNarrower.Audit
{
    /// <summary>
    /// The signature of one record, kept beside it (&lt;record&gt;.sig, written after the record, never over another):
    /// the KMS key that signed, the algorithm, and the SHA-256 and length of the record's exact bytes, which the
    /// signature covers. One byte changed, a line added or removed, and the digest no longer matches; another key, and
    /// the signature does not verify. The model is CloudTrail's log file integrity validation.
    /// </summary>
    public sealed record RecordSignature(string KeyArn, string Algorithm, string Sha256, long Length, DateTime SignedAt, string Signature)
    {
        public const string Extension = ".sig";
        public const int FormatVersion = 1;
        private const string RecordType = "SgNarrowerRecordSignature";

        /// <summary>What KMS signs: the record's digest and length, in one fixed text (well under KMS's 4 KB).</summary>
        public static byte[] Message(string sha256Hex, long length) =>
            Encoding.UTF8.GetBytes($"SgNarrower record signature {FormatVersion}\nsha256 {sha256Hex}\nlength {length.ToString(CultureInfo.InvariantCulture)}\n");

        public byte[] Message() => Message(Sha256, Length);

        public static string Digest(byte[] body)
        {
            using var sha = SHA256.Create();
            return string.Concat(sha.ComputeHash(body).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        }

        /// <summary>Where the signature of a record is kept: the record's name with .sig added.</summary>
        public static string SidecarOf(string recordPathOrKey) => recordPathOrKey + Extension;

        public byte[] ToBytes() => Encoding.UTF8.GetBytes(JsonWriter.Write(new List<KeyValuePair<string, object?>>
        {
            new("RecordType", RecordType),
            new("FormatVersion", FormatVersion),
            new("KeyArn", KeyArn),
            new("Algorithm", Algorithm),
            new("Sha256", Sha256),
            new("Length", Length),
            new("SignedAt", SignedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
            new("Signature", Signature),
        }) + "\n");

        /// <summary>Reads a signature strictly: every member there, of its type, nothing else; throws FormatException saying what is wrong.</summary>
        public static RecordSignature Parse(byte[] bytes)
        {
            JsonObject obj;
            try { obj = JsonParser.Parse(new UTF8Encoding(false, true).GetString(bytes).Trim()) as JsonObject ?? throw new FormatException("it is not a JSON object"); }
            catch (Exception e) when (e is JsonParseException || e is DecoderFallbackException) { throw new FormatException($"it is not valid JSON ({e.Message})", e); }
            var known = new[] { "RecordType", "FormatVersion", "KeyArn", "Algorithm", "Sha256", "Length", "SignedAt", "Signature" };
            foreach (var name in obj.Keys)
                if (!known.Contains(name, StringComparer.Ordinal)) throw new FormatException($"it has a member '{name}' that signatures do not have");
            string Text(string name) => obj.TryGetValue(name, out var v) && v is string s && s.Length > 0 ? s : throw new FormatException($"it has no {name}");
            if (Text("RecordType") != RecordType) throw new FormatException("it is not an SgNarrower record signature");
            if (obj.GetInt32("FormatVersion") != FormatVersion) throw new FormatException($"its format version is not {FormatVersion}");
            var sha = Text("Sha256");
            if (sha.Length != 64 || !sha.All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) throw new FormatException("its Sha256 is not 64 lower-case hex digits");
            if (!(obj.TryGetValue("Length", out var len) && len is JsonNumber n && long.TryParse(n.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long length)))
                throw new FormatException("its Length is not a whole number");
            if (!DateTime.TryParseExact(Text("SignedAt"), "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at)) throw new FormatException("its SignedAt is not a UTC time");
            var signature = Text("Signature");
            try { Convert.FromBase64String(signature); }
            catch (FormatException) { throw new FormatException("its Signature is not base64"); }
            return new RecordSignature(Text("KeyArn"), Text("Algorithm"), sha, length, at, signature);
        }
    }
}
