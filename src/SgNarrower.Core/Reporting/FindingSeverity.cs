namespace SgNarrower.Reporting
{
    /// <summary>How urgent an open rule is, in Security Hub's labels (ASFF Severity.Label; OCSF severity_id 1-5).</summary>
    public enum FindingSeverity
    {
        Informational,
        Low,
        Medium,
        High,
        Critical,
    }
}
