namespace SgNarrower.Evidence
{
    /// <summary>A flow log file SgNarrower cannot read; the message names the file and what is wrong.</summary>
    public sealed class FlowLogFormatException : FormatException
    {
        public FlowLogFormatException(string message, Exception? inner = null) : base(message, inner) { }
    }
}
