namespace SgNarrower.Reporting
{
    /// <summary>One count of a report's summary: how many rows have this value (and whether to mark it, as for a high-risk port).</summary>
    public sealed record Tally(string Name, int Count, bool Marked = false)
    {
        public override string ToString() => $"{Name} {Count}";
    }
}
