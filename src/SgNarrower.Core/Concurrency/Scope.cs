namespace SgNarrower.Concurrency
{
    /// <summary>An account and a region: the unit of EC2's throttling, and of work done at once.</summary>
    public readonly struct Scope : IEquatable<Scope>
    {
        public Scope(string? account, string region)
        {
            Account = account;
            Region = region;
        }
        /// <summary>Null for the caller's own account.</summary>
        public string? Account { get; }
        public string Region { get; }
        public bool Equals(Scope other) => Account == other.Account && Region == other.Region;
        public override bool Equals(object? obj) => obj is Scope s && Equals(s);
        public override int GetHashCode() => ((Account ?? "").GetHashCode() * 397) ^ Region.GetHashCode();
        public override string ToString() => Account == null ? Region : $"{Account} {Region}";
    }
}
