namespace SgNarrower.Concurrency
{
    /// <summary>The notes, and what is done with each result.</summary>
    public class WorkerHandlers<TResult> : WorkerNotes
    {
        public Action<TResult> Result { get; set; } = _ => { };

        /// <summary>Hands one message to its handler by its kind (Done is the runner's own, and is passed over here).</summary>
        public void Handle(WorkerMessage<TResult> message)
        {
            switch (message.Kind)
            {
                case WorkerMessageKind.Result: Result(message.Result); break;
                case WorkerMessageKind.Progress: Progress(message.Progress!); break;
                case WorkerMessageKind.Verbose: Verbose(message.Text!); break;
                case WorkerMessageKind.Warning: Warning(message.Text!); break;
                case WorkerMessageKind.Failure: Failure(message.Failure!); break;
            }
        }
    }
}
