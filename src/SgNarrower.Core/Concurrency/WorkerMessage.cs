namespace SgNarrower.Concurrency
{
    /// <summary>
    /// One thing a worker reports to the pipeline thread, the same shape for scans, changes and evidence: its kind,
    /// and the typed field that kind fills. A caller tells kinds apart by <see cref="Kind"/>, never by runtime type.
    /// </summary>
    public sealed class WorkerMessage<TResult>
    {
        private WorkerMessage(WorkerMessageKind kind, object work, TResult result, string? text, WorkProgress? progress, WorkFailure? failure)
        {
            Kind = kind;
            Work = work;
            Result = result;
            Text = text;
            Progress = progress;
            Failure = failure;
        }

        public WorkerMessageKind Kind { get; }
        /// <summary>What the worker was working on: its scope, or another item.</summary>
        public object Work { get; }
        /// <summary>Result: the result.</summary>
        public TResult Result { get; }
        /// <summary>Verbose and Warning: the text.</summary>
        public string? Text { get; }
        public WorkProgress? Progress { get; }
        public WorkFailure? Failure { get; }

        public static WorkerMessage<TResult> OfResult(object work, TResult result) => new WorkerMessage<TResult>(WorkerMessageKind.Result, work, result, null, null, null);
        public static WorkerMessage<TResult> OfProgress(object work, WorkProgress progress) => new WorkerMessage<TResult>(WorkerMessageKind.Progress, work, default!, progress.Text, progress, null);
        public static WorkerMessage<TResult> OfVerbose(object work, string text) => new WorkerMessage<TResult>(WorkerMessageKind.Verbose, work, default!, text, null, null);
        public static WorkerMessage<TResult> OfWarning(object work, string text) => new WorkerMessage<TResult>(WorkerMessageKind.Warning, work, default!, text, null, null);
        public static WorkerMessage<TResult> OfFailure(object work, WorkFailure failure) => new WorkerMessage<TResult>(WorkerMessageKind.Failure, work, default!, null, null, failure);
        public static WorkerMessage<TResult> OfDone(object work) => new WorkerMessage<TResult>(WorkerMessageKind.Done, work, default!, null, null, null);
    }
}
