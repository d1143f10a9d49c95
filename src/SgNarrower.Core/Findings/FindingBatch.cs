namespace SgNarrower.Findings
{
    /// <summary>One file's worth of findings: its name, the scope its findings belong to, and its bytes.</summary>
    public sealed record FindingBatch(string FileName, string? Account, string? Region, int Count, byte[] Content);
}
