namespace SgNarrower.AwsApi
{
    public sealed class GroupQuery
    {
        public IReadOnlyList<string> GroupIds { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> VpcIds { get; set; } = Array.Empty<string>();
        public int PageSize { get; set; } = 1000;
    }
}
