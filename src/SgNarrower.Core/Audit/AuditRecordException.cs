namespace SgNarrower.Audit
{
    /// <summary>A record that cannot be read whole; the message names the line.</summary>
    public sealed class AuditRecordException : FormatException
    {
        public AuditRecordException(string message, Exception? inner = null) : base(message, inner) { }
    }
}
