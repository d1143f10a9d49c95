using SgNarrower.Concurrency;

namespace SgNarrower.Scanning
{
    /// <summary>A scope's scanner finished a page: what a progress bar shows (a copy of the scanner's counters).</summary>
    public sealed record ScopePage(Scope Scope, int GroupsScanned, int Pages, int OpenRules)
    {
        public override string ToString() => $"{Scope}: {GroupsScanned} group(s) in {Pages} page(s), {OpenRules} open rule(s)";
    }
}
