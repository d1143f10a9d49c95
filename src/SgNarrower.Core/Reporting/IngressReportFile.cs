namespace SgNarrower.Reporting
{
    /// <summary>The report Export-IngressReport wrote, and what is in it.</summary>
    /// <param name="Length">The file's size in bytes.</param>
    public sealed record IngressReportFile(string Path, string Format, int RuleCount, int RunCount, int AccountCount, int RegionCount, long Length)
    {
        public override string ToString() => $"{Format} report of {RuleCount} rule(s) in {Path}";
    }
}
