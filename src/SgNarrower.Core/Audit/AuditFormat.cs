namespace SgNarrower.Audit
{
    public enum AuditFormat { JsonLines, Csv }
}
