namespace SgNarrower.Concurrency
{
    /// <summary>
    /// What the caller does with the notes a worker reports, on the caller's thread: progress, verbose lines, warnings
    /// and failures. The same for scans, changes and evidence; <see cref="WorkerHandlers{TResult}"/> adds the results.
    /// </summary>
    public class WorkerNotes
    {
        public Action<WorkProgress> Progress { get; set; } = _ => { };
        public Action<string> Verbose { get; set; } = _ => { };
        public Action<string> Warning { get; set; } = _ => { };
        /// <summary>A failure of one scope or item; the run goes on. By default it is thrown.</summary>
        public Action<WorkFailure> Failure { get; set; } = f => throw f.Error;
    }
}
