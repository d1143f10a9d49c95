namespace SgNarrower.Findings
{
    /// <summary>AWS Security Finding Format (Security Hub) or OCSF Detection Finding (Security Lake, SIEMs).</summary>
    public enum FindingFormat { Asff, Ocsf }
}
