using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using SgNarrower.Concurrency;
using SgNarrower.AwsApi;

namespace SgNarrower.Changes
{
    /// <summary>
    /// Plans and makes changes as requests arrive, so that a change never waits for planning. Each (account, region)
    /// scope has a lane: its planner takes the requests that have arrived (up to 200 groups, or what has come within a
    /// second, or everything once the input is complete), reads their live rules with one describe per 200 groups, and
    /// hands the plans to the pipeline thread to be confirmed and recorded; its executor makes each approved batch's
    /// changes, group by group, while the planner plans the next. A group already planned in this run is planned again
    /// only after its earlier batch has been executed, so that no plan rests on a state this run is changing.
    /// Everything is reported through <see cref="Take"/> on the pipeline thread; workers never touch the host.
    /// </summary>
    public sealed class ChangeStream : IDisposable
    {
        public const int BatchGroups = Paging.MaxFilterValues;

        /// <summary>
        /// Groups of one scope changed at once at most: EC2's mutating burst. Calls still start only as the scope's
        /// pacer grants tokens; this is enough that, while earlier calls wait for their answers, the next can go out.
        /// </summary>
        public const int GroupsInFlight = 50;
        public static readonly TimeSpan Gather = TimeSpan.FromSeconds(1);

        private readonly Func<Scope, IEc2Api> _api;
        private readonly PlanOptions _options;
        private readonly Action<string?>? _checkAccount;
        private readonly BlockingCollection<WorkerMessage<ChangeReport>> _messages = new BlockingCollection<WorkerMessage<ChangeReport>>();
        private readonly Dictionary<Scope, Lane> _lanes = new Dictionary<Scope, Lane>();
        private readonly SemaphoreSlim _slots;
        private readonly CancellationTokenSource _cancel;
        private int _running;
        private bool _complete;

        /// <param name="api">The EC2 port of a scope; may throw AccountUnavailableException.</param>
        /// <param name="throttleLimit">How many scopes work at once.</param>
        public ChangeStream(Func<Scope, IEc2Api> api, PlanOptions options, int throttleLimit, Action<string?>? checkAccount, CancellationToken cancel)
        {
            _api = api;
            _options = options;
            _checkAccount = checkAccount;
            _slots = new SemaphoreSlim(Math.Max(1, throttleLimit));
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        }

        /// <summary>Groups planned so far, in all scopes.</summary>
        public int PlannedGroups => _lanes.Values.Sum(l => l.PlannedGroups);

        /// <summary>One more request (pipeline thread).</summary>
        public void Add(ChangeRequest request) => AddRange(new[] { request });

        /// <summary>Requests known together (a whole record): each scope's arrive in its lane at once, so its batches are full.</summary>
        public void AddRange(IEnumerable<ChangeRequest> requests)
        {
            if (_complete) throw new InvalidOperationException("The stream's input is complete.");
            foreach (var scope in requests.GroupBy(r => r.Scope))
            {
                bool start = !_lanes.TryGetValue(scope.Key, out var lane);
                if (start)
                {
                    _lanes[scope.Key] = lane = new Lane(this, scope.Key);
                    Interlocked.Increment(ref _running);
                }
                lane!.Add(scope);
                if (start) lane.Start();
            }
        }

        /// <summary>No more requests: every lane plans what it has and finishes.</summary>
        public void Complete()
        {
            Volatile.Write(ref _complete, true);
            foreach (var lane in _lanes.Values) lane.Complete();
            // Lanes that have finished already (none started, or one stopped by an error) leave nothing to wait for.
            if (Volatile.Read(ref _running) == 0) _messages.CompleteAdding();
        }

        /// <summary>
        /// What the lanes have reported: without waiting (while input still arrives), or, once the input is complete,
        /// until every lane has finished.
        /// </summary>
        public IEnumerable<WorkerMessage<ChangeReport>> Take(bool wait)
        {
            if (!wait)
            {
                while (_messages.TryTake(out var m)) yield return m;
                yield break;
            }
            foreach (var m in _messages.GetConsumingEnumerable(_cancel.Token)) yield return m;
        }

        /// <summary>
        /// Plan, confirm, record, execute: hands each batch of plans to <see cref="ChangeHandlers.Confirm"/> (a rule not
        /// confirmed is Skipped) and then to <see cref="ChangeHandlers.Record"/>, and only then lets its changes go out;
        /// a batch whose record throws is never released, so nothing of it changes. Outcomes, notes and errors go to
        /// their handlers as they come. <paramref name="wait"/>: until the stream has finished, else only what is there now.
        /// </summary>
        public void Drain(bool wait, ChangeHandlers handlers)
        {
            foreach (var m in Take(wait))
            {
                if (m.Kind != WorkerMessageKind.Result)
                {
                    Note(m, handlers);
                    continue;
                }
                var report = m.Result;
                if (report.Kind == ChangeReportKind.Outcome)
                {
                    handlers.Result(report.Outcome!);
                    continue;
                }
                // Plans: read here, answered to the lane; the items themselves are changed only there.
                var declined = new Dictionary<PlanItem, string?>();
                foreach (var plan in report.Plans)
                    foreach (var item in plan.Pending)
                        if (handlers.Confirm(item) is string reason) declined[item] = reason;
                var unrecorded = report.Plans.SelectMany(p => p.Pending).Where(i => !declined.ContainsKey(i) && i.NeedsRecord).ToList();
                var recorded = new Dictionary<PlanItem, string>();
                if (unrecorded.Count > 0 && handlers.Record(unrecorded) is string where)
                    foreach (var item in unrecorded) recorded[item] = where;
                report.Approve(new BatchAnswer(declined, recorded));
            }
        }

        private static void Note(WorkerMessage<ChangeReport> m, WorkerNotes handlers)
        {
            switch (m.Kind)
            {
                case WorkerMessageKind.Progress: handlers.Progress(m.Progress!); break;
                case WorkerMessageKind.Verbose: handlers.Verbose(m.Text!); break;
                case WorkerMessageKind.Warning: handlers.Warning(m.Text!); break;
                case WorkerMessageKind.Failure: handlers.Failure(m.Failure!); break;
            }
        }

        public void Dispose()
        {
            _cancel.Cancel();
            foreach (var lane in _lanes.Values) lane.Complete();
        }

        private void Post(WorkerMessage<ChangeReport> message)
        {
            if (!_messages.IsAddingCompleted) _messages.Add(message);
        }

        private void Finished()
        {
            if (Interlocked.Decrement(ref _running) == 0 && Volatile.Read(ref _complete)) _messages.CompleteAdding();
        }

        private sealed class Lane
        {
            private readonly ChangeStream _stream;
            private readonly Scope _scope;
            private readonly object _gate = new object();
            private readonly List<ChangeRequest> _waiting = new List<ChangeRequest>();
            private readonly HashSet<string> _waitingGroups = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            private DateTime _firstWaiting;
            private bool _complete;
            private readonly BlockingCollection<(List<GroupPlan> Plans, TaskCompletionSource<BatchAnswer> Answer)> _approved =
                new BlockingCollection<(List<GroupPlan>, TaskCompletionSource<BatchAnswer>)>();
            private readonly HashSet<string> _planned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            private int _unexecuted;
            private IEc2Api? _ec2;

            public Lane(ChangeStream stream, Scope scope) { _stream = stream; _scope = scope; }

            public int PlannedGroups { get { lock (_gate) return _planned.Count; } }

            public void Add(IEnumerable<ChangeRequest> requests)
            {
                lock (_gate)
                {
                    foreach (var request in requests)
                    {
                        if (_waiting.Count == 0) _firstWaiting = DateTime.UtcNow;
                        _waiting.Add(request);
                        _waitingGroups.Add(request.GroupId);
                    }
                    Monitor.PulseAll(_gate);
                }
            }

            public void Complete()
            {
                lock (_gate)
                {
                    _complete = true;
                    Monitor.PulseAll(_gate);
                }
            }

            public void Start()
            {
                var planner = Task.Factory.StartNew(Plan, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                var executor = Task.Factory.StartNew(Execute, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                Task.WhenAll(planner, executor).ContinueWith(_ => _stream.Finished(), TaskScheduler.Default);
            }

            private CancellationToken Cancel => _stream._cancel.Token;

            /// <summary>The next batch: up to 200 groups, once 200 are there, a second has passed, or the input is complete.</summary>
            private List<ChangeRequest>? NextBatch()
            {
                lock (_gate)
                {
                    while (true)
                    {
                        if (Cancel.IsCancellationRequested) return null;
                        bool due = _waiting.Count > 0 && (_complete || _waitingGroups.Count >= BatchGroups || DateTime.UtcNow - _firstWaiting >= Gather);
                        if (due)
                        {
                            var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                            var batch = new List<ChangeRequest>();
                            var rest = new List<ChangeRequest>();
                            foreach (var r in _waiting)
                                if (ids.Contains(r.GroupId) || ids.Count < BatchGroups && ids.Add(r.GroupId)) batch.Add(r);
                                else rest.Add(r);
                            _waiting.Clear();
                            _waiting.AddRange(rest);
                            _waitingGroups.Clear();
                            foreach (var r in rest) _waitingGroups.Add(r.GroupId);
                            if (rest.Count > 0) _firstWaiting = DateTime.UtcNow - Gather;
                            return batch;
                        }
                        if (_waiting.Count == 0 && _complete) return null;
                        var wait = _waiting.Count == 0 ? TimeSpan.FromMilliseconds(250) : Gather - (DateTime.UtcNow - _firstWaiting);
                        Monitor.Wait(_gate, wait < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : wait);
                    }
                }
            }

            private void Plan()
            {
                bool slot = false;
                try
                {
                    while (NextBatch() is List<ChangeRequest> batch)
                    {
                        if (!slot) { _stream._slots.Wait(Cancel); slot = true; }
                        // A group this run planned before is planned again only once its earlier changes are made.
                        lock (_gate)
                        {
                            if (batch.Any(r => _planned.Contains(r.GroupId)))
                                while (_unexecuted > 0 && !Cancel.IsCancellationRequested) Monitor.Wait(_gate, 100);
                            foreach (var r in batch) _planned.Add(r.GroupId);
                            _unexecuted++;
                        }
                        var plans = ChangePlanning.PlanScope(_scope, Ec2, batch, _stream._options, Verbose, _stream._checkAccount);
                        var answer = new TaskCompletionSource<BatchAnswer>();
                        _approved.Add((plans, answer));
                        _stream.Post(WorkerMessage<ChangeReport>.OfResult(_scope, ChangeReport.OfPlans(plans, answer)));
                    }
                }
                catch (OperationCanceledException) { }
                catch (Exception e) { _stream.Post(WorkerMessage<ChangeReport>.OfFailure(_scope, WorkFailure.Of(_scope, e))); }
                finally
                {
                    _approved.CompleteAdding();
                    if (slot) _stream._slots.Release();
                }
            }

            private void Execute()
            {
                // Groups in flight at once; the lane stops (and says why) if a group's work throws.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
                var workers = new GroupWorkers<GroupOutcome>(GroupsInFlight,
                    deliver: outcome => _stream.Post(WorkerMessage<ChangeReport>.OfResult(_scope, ChangeReport.OfOutcome(outcome))),
                    fault: e =>
                    {
                        _stream.Post(WorkerMessage<ChangeReport>.OfFailure(_scope, WorkFailure.Of(_scope, e)));
                        stop.Cancel();
                    },
                    stop.Token);
                try
                {
                    foreach (var (plans, answer) in _approved.GetConsumingEnumerable())
                    {
                        answer.Task.Wait(stop.Token);
                        var answered = answer.Task.Result.ApplyTo(plans);
                        int left = answered.Count;
                        if (left == 0) BatchExecuted();
                        foreach (var plan in answered)
                        {
                            if (stop.IsCancellationRequested) return;
                            workers.Run(() =>
                            {
                                // A plan with nothing left to do makes no call: its outcome was decided against the live group.
                                var api = plan.Pending.Any() ? Ec2() : NoCallsEc2.Instance;
                                var outcome = new PlanExecutor(api, Verbose).Execute(plan);
                                if (Interlocked.Decrement(ref left) == 0) BatchExecuted();
                                return outcome;
                            });
                        }
                    }
                }
                catch (OperationCanceledException) { }
                catch (Exception e) { _stream.Post(WorkerMessage<ChangeReport>.OfFailure(_scope, WorkFailure.Of(_scope, e))); }
                finally
                {
                    workers.Complete();
                    // Whatever stopped this lane, the planner must not wait for it.
                    lock (_gate)
                    {
                        _unexecuted = 0;
                        Monitor.PulseAll(_gate);
                    }
                    while (_approved.TryTake(out _)) { }
                }
            }

            /// <summary>Every change of a batch is made: a group it held may be planned again.</summary>
            private void BatchExecuted()
            {
                lock (_gate)
                {
                    _unexecuted--;
                    Monitor.PulseAll(_gate);
                }
            }

            private IEc2Api Ec2() => _ec2 ??= _stream._api(_scope);

            private void Verbose(string text) => _stream.Post(WorkerMessage<ChangeReport>.OfVerbose(_scope, text));
        }
    }
}
