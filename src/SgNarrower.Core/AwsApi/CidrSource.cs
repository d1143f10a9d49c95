namespace SgNarrower.AwsApi
{
    public sealed class CidrSource
    {
        public CidrSource(string cidr, string? description = null)
        {
            Cidr = cidr;
            Description = description;
        }
        public string Cidr { get; }
        public string? Description { get; }
    }
}
