namespace SgNarrower.Exceptions
{
    /// <summary>An exceptions file refused whole: the message names the file, the entry and what is wrong with it.</summary>
    public sealed class ExceptionFileException(string message, Exception? inner = null) : FormatException(message, inner);
}
