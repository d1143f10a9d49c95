using System.Collections.Concurrent;
using System.Threading;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Runs the changes of one scope's groups with several groups in flight at once, so that the scope's pacer, not
    /// the time EC2 takes to answer, sets the pace: a group's calls start as soon as the pacer grants their tokens,
    /// whatever other groups' calls are still waiting for their answers. Each group's work runs whole on one worker, in
    /// order (change, verify, take back), so a group never has two calls in flight. Workers are threads of their own,
    /// started as work arrives, up to <see cref="Limit"/>: each blocks on the pacer and on its reply, and blocking the
    /// thread pool would stall it. Outcomes are handed on in the order the groups were given (<see cref="Run"/>), so
    /// results come out as they would one group at a time.
    /// </summary>
    internal sealed class GroupWorkers<TResult> : IDisposable where TResult : class
    {
        private readonly BlockingCollection<(long Seq, Func<TResult> Work)> _work = new BlockingCollection<(long, Func<TResult>)>();
        private readonly Action<TResult> _deliver;
        private readonly Action<Exception> _fault;
        private readonly CancellationToken _cancel;
        private readonly List<Thread> _threads = new List<Thread>();
        private readonly object _gate = new object();
        // Outcomes done but not yet handed on (null: the work threw, and the fault said so), by their order of arrival.
        private readonly SortedDictionary<long, TResult?> _done = new SortedDictionary<long, TResult?>();
        private long _next, _nextToDeliver;
        private int _idle, _queued, _running, _mostInFlight;

        /// <param name="limit">Groups in flight at most.</param>
        /// <param name="deliver">Each outcome, in the order its work was given, on whichever worker completes the run of them.</param>
        /// <param name="fault">A work item threw (not an AWS error: those are outcomes); the caller stops the scope, and
        /// the outcomes of work already in flight are still handed on.</param>
        public GroupWorkers(int limit, Action<TResult> deliver, Action<Exception> fault, CancellationToken cancel)
        {
            Limit = Math.Max(1, limit);
            _deliver = deliver;
            _fault = fault;
            _cancel = cancel;
        }

        public int Limit { get; }

        /// <summary>The most groups that were in flight at once.</summary>
        public int MostInFlight { get { lock (_gate) return _mostInFlight; } }

        /// <summary>Queues one group's work; a worker is started when none is free and the limit allows.</summary>
        public void Run(Func<TResult> work)
        {
            lock (_gate)
            {
                // A worker for each group waiting beyond those a free worker will take.
                if (++_queued > _idle && _threads.Count < Limit)
                {
                    var thread = new Thread(Work) { IsBackground = true, Name = "SgNarrower group worker" };
                    _threads.Add(thread);
                    _idle++;
                    thread.Start();
                }
                _work.Add((_next++, work));
            }
        }

        /// <summary>No more work: waits until every worker has finished what it was given.</summary>
        public void Complete()
        {
            _work.CompleteAdding();
            List<Thread> threads;
            lock (_gate) threads = _threads.ToList();
            foreach (var t in threads) t.Join();
        }

        private void Work()
        {
            try
            {
                while (!_cancel.IsCancellationRequested && _work.TryTake(out var item, Timeout.Infinite, _cancel))
                {
                    lock (_gate)
                    {
                        _idle--;
                        _queued--;
                        _running++;
                        if (_running > _mostInFlight) _mostInFlight = _running;
                    }
                    TResult? result = null;
                    try { result = item.Work(); }
                    catch (OperationCanceledException) { }
                    catch (Exception e) { _fault(e); }
                    finally
                    {
                        lock (_gate)
                        {
                            _running--;
                            _idle++;
                        }
                    }
                    Deliver(item.Seq, result);
                }
            }
            catch (OperationCanceledException) { }
        }

        /// <summary>Hands on this outcome and every one after it that is done, in order; one worker delivers at a time.</summary>
        private void Deliver(long seq, TResult? result)
        {
            lock (_gate)
            {
                _done[seq] = result;
                while (_done.TryGetValue(_nextToDeliver, out var next))
                {
                    _done.Remove(_nextToDeliver++);
                    if (next != null) _deliver(next);
                }
            }
        }

        public void Dispose()
        {
            if (!_work.IsAddingCompleted) _work.CompleteAdding();
        }
    }
}
