namespace SgNarrower.AwsApi
{
    /// <summary>A managed prefix list: who owns it (AWS for com.amazonaws.* lists) and its name.</summary>
    public sealed class PrefixListInfo
    {
        public string PrefixListId { get; set; } = "";
        public string? Name { get; set; }
        public string? OwnerId { get; set; }
        public bool IsAwsManaged => OwnerId == "AWS" || (Name != null && Name.StartsWith("com.amazonaws.", System.StringComparison.Ordinal));
    }
}
