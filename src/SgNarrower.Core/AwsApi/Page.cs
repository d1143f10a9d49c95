namespace SgNarrower.AwsApi
{
    public sealed class Page<T>
    {
        public Page(IReadOnlyList<T> items, string? nextToken)
        {
            Items = items;
            NextToken = string.IsNullOrEmpty(nextToken) ? null : nextToken;
        }
        public IReadOnlyList<T> Items { get; }
        public string? NextToken { get; }
    }
}
