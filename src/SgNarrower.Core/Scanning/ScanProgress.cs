namespace SgNarrower.Scanning
{
    public sealed class ScanProgress
    {
        public string Region { get; set; } = "";
        public int GroupsScanned { get; set; }
        public int Pages { get; set; }
        public int OpenRules { get; set; }
    }
}
