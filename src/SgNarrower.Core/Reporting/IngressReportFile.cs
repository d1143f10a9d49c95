namespace SgNarrower.Reporting
{
    /// <summary>The report Export-IngressReport wrote, and what is in it.</summary>
    public sealed class IngressReportFile
    {
        public IngressReportFile(string path, string format, int ruleCount, int runCount, int accountCount, int regionCount, long length)
        {
            Path = path;
            Format = format;
            RuleCount = ruleCount;
            RunCount = runCount;
            AccountCount = accountCount;
            RegionCount = regionCount;
            Length = length;
        }
        public string Path { get; }
        public string Format { get; }
        public int RuleCount { get; }
        public int RunCount { get; }
        public int AccountCount { get; }
        public int RegionCount { get; }
        /// <summary>The file's size in bytes.</summary>
        public long Length { get; }
        public override string ToString() => $"{Format} report of {RuleCount} rule(s) in {Path}";
    }
}
