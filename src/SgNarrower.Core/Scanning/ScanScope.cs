namespace SgNarrower.Scanning
{
    public sealed class ScanScope
    {
        public IReadOnlyList<string> GroupIds { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> VpcIds { get; set; } = Array.Empty<string>();
        /// <summary>Items per page for both describes; EC2 allows 5 to 1000.</summary>
        public int PageSize { get; set; } = 1000;
        /// <summary>Fill in each rule's exposure (interfaces, route tables).</summary>
        public bool IncludeExposure { get; set; }
        /// <summary>Only rules of these exposures; null for all. Implies <see cref="IncludeExposure"/>.</summary>
        public IReadOnlyCollection<ExposureLevel>? Exposure { get; set; }
        /// <summary>Also report rules whose sgnarrower:open-until deadline lies ahead.</summary>
        public bool IncludeTemporary { get; set; }
        /// <summary>The moment deadlines are compared with.</summary>
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
    }
}
