namespace SgNarrower.Audit
{
    /// <summary>One run of a record: its id, when it was recorded, and by what.</summary>
    public sealed record AuditRunInfo(string RunId, DateTime RecordedAt, string Tool)
    {
        public static AuditRunInfo New(string tool)
        {
            var now = DateTime.UtcNow;
            return new AuditRunInfo(now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 12), now, tool);
        }

        /// <summary>The default object key (or file name): dated, unique per run, never an earlier run's.</summary>
        public string DefaultKey(string? keyPrefix, AuditFormat format)
        {
            var prefix = keyPrefix ?? "sgnarrower-audit/";
            if (prefix.Length > 0 && !prefix.EndsWith("/", StringComparison.Ordinal)) prefix += "/";
            return $"{prefix}{RecordedAt:yyyy}/{RecordedAt:MM}/{RecordedAt:dd}/{FileName(format)}";
        }

        public string FileName(AuditFormat format) => $"ingress-audit-{RunId}.{AuditRecordFormat.FileExtension(format)}";
    }
}
