namespace SgNarrower.Concurrency
{
    public enum ScopeMessageKind { Output, Verbose, Warning, Error, Done }
}
