namespace SgNarrower.Offline
{
    /// <summary>A file that is not a security-group export; the message says what is wrong and where.</summary>
    public sealed class SecurityGroupFileException : FormatException
    {
        public SecurityGroupFileException(string message, Exception? inner = null) : base(message, inner) { }
    }
}
