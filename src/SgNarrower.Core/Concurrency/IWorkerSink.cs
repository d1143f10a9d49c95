namespace SgNarrower.Concurrency
{
    /// <summary>What a worker writes to: a queue to the pipeline thread, never the host.</summary>
    public interface IWorkerSink<in TResult>
    {
        void Result(TResult result);
        /// <summary>How far the work has come (a page scanned, files read): shown as progress, never output.</summary>
        void Progress(WorkProgress progress);
        void Verbose(string text);
        void Warning(string text);
        /// <summary>A failure of the work in hand; the work goes on with the next scope or item.</summary>
        void Failure(Exception error);
    }
}
