namespace SgNarrower.Concurrency
{
    /// <summary>Something a worker reports, handed to the pipeline thread to write.</summary>
    /// <param name="Payload">Output: the object; Verbose: the text; Error: the exception; Done: null.</param>
    public sealed record ScopeMessage(ScopeMessageKind Kind, object? Payload, object Scope);
}
