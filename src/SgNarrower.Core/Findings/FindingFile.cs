namespace SgNarrower.Findings
{
    /// <summary>One file of findings Export-IngressFinding wrote, and how to import it.</summary>
    public sealed class FindingFile
    {
        public FindingFile(string format, string path, string? accountId, string? region, int findingCount, string? importCommand)
        {
            Format = format;
            Path = path;
            AccountId = accountId;
            Region = region;
            FindingCount = findingCount;
            ImportCommand = importCommand;
        }
        /// <summary>Asff or Ocsf.</summary>
        public string Format { get; }
        public string Path { get; }
        /// <summary>For ASFF: the account and region every finding in the file belongs to (a finding is imported there).</summary>
        public string? AccountId { get; }
        public string? Region { get; }
        public int FindingCount { get; }
        /// <summary>For ASFF: the AWS CLI line that imports the file, with credentials for <see cref="AccountId"/>.</summary>
        public string? ImportCommand { get; }
        public override string ToString() => $"{FindingCount} {Format} finding(s) in {Path}";
    }
}
