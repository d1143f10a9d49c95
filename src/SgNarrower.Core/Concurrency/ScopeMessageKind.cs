namespace SgNarrower.Concurrency
{
    public enum ScopeMessageKind { Output, Progress, Verbose, Warning, Error, Done }
}
