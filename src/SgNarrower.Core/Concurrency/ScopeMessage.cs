namespace SgNarrower.Concurrency
{
    /// <summary>Something a worker reports, handed to the pipeline thread to write.</summary>
    public sealed class ScopeMessage
    {
        public ScopeMessage(ScopeMessageKind kind, object? payload, object scope)
        {
            Kind = kind;
            Payload = payload;
            Scope = scope;
        }
        public ScopeMessageKind Kind { get; }
        /// <summary>Output: the object; Verbose: the text; Error: the exception; Done: null.</summary>
        public object? Payload { get; }
        public object Scope { get; }
    }
}
