namespace SgNarrower.AwsApi
{
    public sealed class PutObjectResult
    {
        public string? ETag { get; set; }
        public string? VersionId { get; set; }
    }
}
