namespace SgNarrower.Findings
{
    /// <summary>One file's worth of findings: its name, the scope its findings belong to, and its bytes.</summary>
    public sealed class FindingBatch
    {
        public FindingBatch(string fileName, string? account, string? region, int count, byte[] content)
        {
            FileName = fileName;
            Account = account;
            Region = region;
            Count = count;
            Content = content;
        }
        public string FileName { get; }
        public string? Account { get; }
        public string? Region { get; }
        public int Count { get; }
        public byte[] Content { get; }
    }
}
