using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace SgNarrower.Concurrency
{
    /// <summary>
    /// Runs work for many scopes (an account and a region, or other items such as files) at once, at most
    /// <c>throttleLimit</c> at a time, the way ThreadJob and ForEach-Object -Parallel do it: workers never touch the
    /// host; everything they report is queued as a <see cref="WorkerMessage{TResult}"/> and handed to the handlers on
    /// the calling thread (the pipeline thread), as it arrives, so objects still stream. What one scope reports
    /// arrives in the order it reported it; nothing is ordered across scopes.
    /// </summary>
    public static class ScopeRunner
    {
        /// <param name="done">Called on the calling thread when a scope's work has ended (whether it failed or not).</param>
        public static void Run<TScope, TResult>(IReadOnlyList<TScope> scopes, int throttleLimit, Action<TScope, IWorkerSink<TResult>> work,
            WorkerHandlers<TResult> handlers, CancellationToken cancel = default, Action<TScope>? done = null) where TScope : notnull
        {
            if (throttleLimit < 1) throw new ArgumentOutOfRangeException(nameof(throttleLimit), "At least one scope runs at a time.");
            if (scopes.Count == 0) return;
            using var queue = new BlockingCollection<WorkerMessage<TResult>>();
            var pending = new ConcurrentQueue<TScope>(scopes);
            int workers = Math.Min(throttleLimit, scopes.Count);
            int running = workers;
            for (int w = 0; w < workers; w++)
            {
                Task.Factory.StartNew(() =>
                {
                    try
                    {
                        while (!cancel.IsCancellationRequested && pending.TryDequeue(out var scope))
                        {
                            var sink = new QueueSink<TResult>(queue, scope);
                            try { work(scope, sink); }
                            catch (Exception e) { sink.Failure(e); }
                            sink.Done();
                        }
                    }
                    finally
                    {
                        if (Interlocked.Decrement(ref running) == 0) queue.CompleteAdding();
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
            try
            {
                foreach (var message in queue.GetConsumingEnumerable(cancel))
                {
                    if (message.Kind == WorkerMessageKind.Done) done?.Invoke((TScope)message.Work);
                    else handlers.Handle(message);
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                // Stopped (Ctrl+C): workers finish the call in hand and take no new scope.
            }
        }

        private sealed class QueueSink<TResult> : IWorkerSink<TResult>
        {
            private readonly BlockingCollection<WorkerMessage<TResult>> _queue;
            private readonly object _work;
            private readonly WorkFailure _failureOf;

            public QueueSink(BlockingCollection<WorkerMessage<TResult>> queue, object work)
            {
                _queue = queue;
                _work = work;
                // Failures name what failed: the scope itself where the work was a scope, else the item by its text.
                _failureOf = work is Scope scope ? new WorkFailure(scope, null, new Exception()) : new WorkFailure(null, work.ToString(), new Exception());
            }

            public void Result(TResult result) => Add(WorkerMessage<TResult>.OfResult(_work, result));
            public void Progress(WorkProgress progress) => Add(WorkerMessage<TResult>.OfProgress(_work, progress));
            public void Verbose(string text) => Add(WorkerMessage<TResult>.OfVerbose(_work, text));
            public void Warning(string text) => Add(WorkerMessage<TResult>.OfWarning(_work, text));
            public void Failure(Exception error) => Add(WorkerMessage<TResult>.OfFailure(_work, _failureOf with { Error = error }));
            public void Done() => Add(WorkerMessage<TResult>.OfDone(_work));

            private void Add(WorkerMessage<TResult> message)
            {
                if (!_queue.IsAddingCompleted) _queue.Add(message);
            }
        }
    }
}
