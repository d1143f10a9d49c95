namespace SgNarrower.Json
{
    /// <summary>Thrown for text that is not JSON; carries the line and column of the fault.</summary>
    public sealed class JsonParseException : FormatException
    {
        public JsonParseException(string message, int line, int column)
            : base($"{message} (line {line}, column {column})")
        {
            Line = line;
            Column = column;
        }
        public int Line { get; }
        public int Column { get; }
    }
}
