namespace SgNarrower
{
    /// <summary>A source that reached a rule, with how often.</summary>
    public sealed class ObservedSource
    {
        public ObservedSource(string address, long flows, long packets) { Address = address; Flows = flows; Packets = packets; }
        public string Address { get; }
        public long Flows { get; }
        public long Packets { get; }
        public override string ToString() => $"{Address} ({Flows} flow(s))";
    }
}
