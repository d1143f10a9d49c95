namespace SgNarrower.AwsApi
{
    /// <summary>A managed prefix list: who owns it (AWS for com.amazonaws.* lists), its name, family and size.</summary>
    public sealed class PrefixListInfo
    {
        public string PrefixListId { get; set; } = "";
        public string? Name { get; set; }
        public string? OwnerId { get; set; }
        /// <summary>IPv4 or IPv6.</summary>
        public string? AddressFamily { get; set; }
        /// <summary>The entries the list may hold: what a rule that references it counts as against a group's quota.</summary>
        public int? MaxEntries { get; set; }
        public bool IsAwsManaged => OwnerId == "AWS" || (Name != null && Name.StartsWith("com.amazonaws.", System.StringComparison.Ordinal));
    }
}
