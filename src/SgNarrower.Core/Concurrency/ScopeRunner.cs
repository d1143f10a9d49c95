using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace SgNarrower.Concurrency
{
    public enum ScopeMessageKind { Output, Verbose, Warning, Error, Done }

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

    /// <summary>What a worker writes to: a queue, never the host.</summary>
    public interface IScopeSink
    {
        void Write(object item);
        void Verbose(string text);
        void Warning(string text);
        void Error(Exception error);
    }

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
            public void Error(Exception error) => Add(ScopeMessageKind.Error, error);
            private void Add(ScopeMessageKind kind, object? payload)
            {
                if (!_queue.IsAddingCompleted) _queue.Add(new ScopeMessage(kind, payload, _scope));
            }
        }
    }

    /// <summary>An account and a region: the unit of EC2's throttling, and of work done at once.</summary>
    public readonly struct Scope : IEquatable<Scope>
    {
        public Scope(string? account, string region)
        {
            Account = account;
            Region = region;
        }
        /// <summary>Null for the caller's own account.</summary>
        public string? Account { get; }
        public string Region { get; }
        public bool Equals(Scope other) => Account == other.Account && Region == other.Region;
        public override bool Equals(object? obj) => obj is Scope s && Equals(s);
        public override int GetHashCode() => ((Account ?? "").GetHashCode() * 397) ^ Region.GetHashCode();
        public override string ToString() => Account == null ? Region : $"{Account} {Region}";
    }

    /// <summary>Region names with wildcards: '*' for every enabled region, 'eu-*' for some.</summary>
    public static class RegionPatterns
    {
        public static bool HasWildcard(string pattern) => pattern.IndexOfAny(new[] { '*', '?' }) >= 0;

        public static IReadOnlyList<string> Expand(IEnumerable<string> patterns, IReadOnlyList<string> enabled)
        {
            var result = new List<string>();
            foreach (var p in patterns)
            {
                if (!HasWildcard(p)) { if (!result.Contains(p)) result.Add(p); continue; }
                var regex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(p).Replace("\\*", ".*").Replace("\\?", ".") + "$",
                    System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
                foreach (var r in enabled.Where(r => regex.IsMatch(r)).OrderBy(r => r, StringComparer.Ordinal))
                    if (!result.Contains(r)) result.Add(r);
            }
            return result;
        }
    }
}
