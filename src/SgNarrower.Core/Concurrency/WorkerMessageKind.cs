namespace SgNarrower.Concurrency
{
    /// <summary>What a worker's message is: a result, how far the work has come, a note, a failure, or the end of one piece of work.</summary>
    public enum WorkerMessageKind { Result, Progress, Verbose, Warning, Failure, Done }
}
