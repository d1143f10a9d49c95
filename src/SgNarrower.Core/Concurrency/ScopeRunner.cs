using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace SgNarrower.Concurrency
{
    /// <summary>
    /// Runs work for many scopes (an account and a region) at once, at most <c>throttleLimit</c> at a time, the way
    /// ThreadJob and ForEach-Object -Parallel do it: workers never touch the host; everything they report is queued
    /// and handed to <c>drain</c> on the calling thread (the pipeline thread), as it arrives, so objects still stream.
    /// What one scope reports arrives in the order it reported it; nothing is ordered across scopes.
    /// </summary>
    public static class ScopeRunner
    {
        public static void Run<TScope>(IReadOnlyList<TScope> scopes, int throttleLimit, Action<TScope, IScopeSink> work,
            Action<ScopeMessage> drain, CancellationToken cancel = default) where TScope : notnull
        {
            if (throttleLimit < 1) throw new ArgumentOutOfRangeException(nameof(throttleLimit), "At least one scope runs at a time.");
            if (scopes.Count == 0) return;
            using var queue = new BlockingCollection<ScopeMessage>();
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
                            var sink = new QueueSink(queue, scope);
                            try { work(scope, sink); }
                            catch (Exception e) { sink.Error(e); }
                            queue.Add(new ScopeMessage(ScopeMessageKind.Done, null, scope));
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
                foreach (var message in queue.GetConsumingEnumerable(cancel)) drain(message);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                // Stopped (Ctrl+C): workers finish the call in hand and take no new scope.
            }
        }

        private sealed class QueueSink : IScopeSink
        {
            private readonly BlockingCollection<ScopeMessage> _queue;
            private readonly object _scope;
            public QueueSink(BlockingCollection<ScopeMessage> queue, object scope) { _queue = queue; _scope = scope; }
            public void Write(object item) => Add(ScopeMessageKind.Output, item);
            public void Verbose(string text) => Add(ScopeMessageKind.Verbose, text);
            public void Warning(string text) => Add(ScopeMessageKind.Warning, text);
            public void Progress(string text) => Add(ScopeMessageKind.Progress, text);
            public void Error(Exception error) => Add(ScopeMessageKind.Error, error);
            private void Add(ScopeMessageKind kind, object? payload)
            {
                if (!_queue.IsAddingCompleted) _queue.Add(new ScopeMessage(kind, payload, _scope));
            }
        }
    }
}
