namespace SgNarrower.Exposure
{
    /// <summary>A network export SgNarrower cannot read; the message says what is wrong.</summary>
    public sealed class NetworkFileException : FormatException
    {
        public NetworkFileException(string message, Exception? inner = null) : base(message, inner) { }
    }
}
