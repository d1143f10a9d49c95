namespace SgNarrower.Reporting
{
    /// <summary>One count of a report's summary: how many rows have this value (and whether to mark it, as for a high-risk port).</summary>
    public sealed class Tally
    {
        public Tally(string name, int count, bool marked = false)
        {
            Name = name;
            Count = count;
            Marked = marked;
        }
        public string Name { get; }
        public int Count { get; }
        public bool Marked { get; }
        public override string ToString() => $"{Name} {Count}";
    }
}
