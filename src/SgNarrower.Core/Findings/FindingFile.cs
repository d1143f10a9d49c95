namespace SgNarrower.Findings
{
    /// <summary>One file of findings Export-IngressFinding wrote, and how to import it.</summary>
    /// <param name="Format">Asff or Ocsf.</param>
    /// <param name="AccountId">For ASFF: the account and region every finding in the file belongs to (a finding is imported there).</param>
    /// <param name="ImportCommand">For ASFF: the AWS CLI line that imports the file, with credentials for <see cref="AccountId"/>.</param>
    public sealed record FindingFile(string Format, string Path, string? AccountId, string? Region, int FindingCount, string? ImportCommand)
    {
        public override string ToString() => $"{FindingCount} {Format} finding(s) in {Path}";
    }
}
