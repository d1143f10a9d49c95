using System.Threading;
using SgNarrower.Rules;
using SgNarrower.AwsApi;
using SgNarrower.Concurrency;
using SgNarrower.Exposure;

namespace SgNarrower.Evidence
{
    /// <summary>
    /// What Measure-OpenIngressRule does, in order: learn what carries each rule's group (from saved exports, or per
    /// account and region at once), then read the flow logs (files at once) or an Athena aggregate of them, then say
    /// for each rule who used it and what to do. A scope or a file that cannot be read is reported and the rest goes
    /// on; what it would have added is missing from the evidence, and the error says so.
    /// </summary>
    public sealed class EvidenceRun
    {
        private readonly IReadOnlyList<(OpenIngressRule Rule, RuleIdentity Identity)> _rules;
        private readonly DateTimeOffset _since, _until;
        private readonly int _throttleLimit;
        private readonly WorkerNotes _handlers;
        private readonly CancellationToken _cancel;
        private readonly Dictionary<Scope, string> _accountOf = new Dictionary<Scope, string>();
        private ExposureMap? _exposure;
        private FlowEvidence? _evidence;

        /// <param name="rules">Each with its Region settled.</param>
        public EvidenceRun(IReadOnlyList<(OpenIngressRule Rule, RuleIdentity Identity)> rules, DateTimeOffset since, DateTimeOffset until, int throttleLimit, WorkerNotes handlers, CancellationToken cancel)
        {
            _rules = rules;
            _since = since;
            _until = until;
            _throttleLimit = throttleLimit;
            _handlers = handlers;
            _cancel = cancel;
            Scopes = rules.Select(Of).Distinct().ToList();
        }

        /// <summary>The (account, region) scopes of the rules; the account is null where a rule names none (the caller's).</summary>
        public IReadOnlyList<Scope> Scopes { get; }

        /// <summary>Each scope's account as learned, with its region: where the S3 layout of flow logs is looked in.</summary>
        public IEnumerable<(string Account, string Region)> Accounts => _accountOf.Select(a => (a.Value, a.Key.Region));

        /// <summary>Exposure from saved exports: nothing is called for it.</summary>
        public void UseExposure(ExposureMap exposure) => _exposure = exposure;

        /// <summary>Exposure read per scope, all at once: the interfaces that carry the rules' groups, and their route tables.</summary>
        public void ReadExposure(Func<Scope, IEc2Api> ec2, Func<Scope, string> account)
        {
            var maps = new List<ExposureMap>();
            ScopeRunner.Run(Scopes, _throttleLimit, (Scope scope, IWorkerSink<(Scope Scope, ExposureMap Map, string Account)> sink) =>
            {
                var map = new ExposureReader(ec2(scope), sink.Verbose).Read(_rules.Where(r => Of(r).Equals(scope)).Select(r => r.Rule.GroupId));
                sink.Result((scope, map, account(scope)));
            }, Forward<(Scope Scope, ExposureMap Map, string Account)>(read =>
            {
                maps.Add(read.Map);
                _accountOf[read.Scope] = read.Account;
            }), _cancel);
            _exposure = ExposureMap.Merge(maps);
        }

        /// <summary>Each scope's account, where exposure came from files and the S3 layout needs it.</summary>
        public void LearnAccounts(Func<Scope, string> account)
        {
            foreach (var scope in Scopes)
            {
                try { _accountOf[scope] = account(scope); }
                catch (Exception e) when (e is AwsServiceException || e is AwsSetupException || e is AccountUnavailableException) { _handlers.Failure(WorkFailure.Of(scope, e)); }
            }
        }

        /// <summary>The evidence being gathered (made once exposure is known).</summary>
        public FlowEvidence Evidence => _evidence ??= new FlowEvidence(_rules,
            _exposure ?? throw new InvalidOperationException("Exposure is learned before flow logs are read."), _since, _until);

        /// <summary>Flow log files, several at once; the evidence is shared and thread-safe.</summary>
        public void ReadFlowLogs(IReadOnlyList<FlowLogFile> files)
        {
            var evidence = Evidence;
            _handlers.Verbose($"{files.Count} flow log file(s) for {evidence.InterfaceIds.Count} network interface(s), {_since:u} to {_until:u}");
            var byName = files.GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            long records = 0;
            int done = 0;
            ScopeRunner.Run(byName.Keys.ToList(), _throttleLimit, (string name, IWorkerSink<long> sink) =>
            {
                var reader = new FlowLogReader(evidence);
                var source = byName[name];
                try
                {
                    using var stream = source.Open();
                    reader.Read(stream, source.Name);
                }
                catch (Exception e) when (e is InvalidDataException || e is EndOfStreamException || e is IOException)
                {
                    sink.Failure(new ScopeFailure("FlowLogUnreadable", FailureKind.InvalidArgument,
                        $"'{source.Name}' could not be read to its end ({e.Message}); the {reader.Records} record(s) before that count, the rest is missing from the evidence.", source.Name, e));
                }
                catch (FlowLogFormatException e)
                {
                    sink.Failure(new ScopeFailure("InvalidFlowLog", FailureKind.InvalidArgument, e.Message, source.Name, e));
                }
                sink.Result(reader.Records);
            }, Forward<long>(read =>
            {
                records += read;
                done++;
                _handlers.Progress(new WorkProgress($"{done} of {byName.Count} file(s), {records} record(s)", done, byName.Count));
            }), _cancel);
        }

        /// <summary>The aggregate query's results, one after another (each is a fraction of the raw logs).</summary>
        public void ReadAggregates(IReadOnlyList<FlowLogFile> files)
        {
            long rows = 0, records = 0;
            foreach (var file in files)
            {
                var reader = new FlowAggregateReader(Evidence);
                try
                {
                    using var text = new StreamReader(file.Open(), Encoding.UTF8);
                    reader.Read(text, file.Name);
                }
                catch (FlowLogFormatException e)
                {
                    _handlers.Failure(WorkFailure.Of(file.Name, new ScopeFailure("InvalidAggregate", FailureKind.InvalidData, e.Message, file.Name, e)));
                }
                catch (Exception e) when (e is IOException || e is AwsServiceException)
                {
                    _handlers.Failure(WorkFailure.Of(file.Name, new ScopeFailure("AggregateUnreadable", FailureKind.ReadFailed,
                        $"'{file.Name}' could not be read to its end ({e.Message}); the rows before that count.", file.Name, e)));
                }
                rows += reader.Rows;
                records += reader.Records;
            }
            _handlers.Verbose($"{files.Count} aggregate file(s): {rows} row(s) standing for {records} flow record(s)");
        }

        /// <summary>
        /// The whole run: exposure (from <paramref name="saved"/> exports, else read per scope), then the flow logs or
        /// their aggregates, then each rule with its evidence and recommendation. A missing local file throws
        /// FileNotFoundException before any log is read; an S3 listing that fails is reported and the rest goes on.
        /// </summary>
        /// <param name="s3">The S3 client for the flow logs' bucket, asked for only where an s3:// source is given.</param>
        public IEnumerable<OpenIngressRule> Measure(EvidenceSources sources, ExposureMap? saved, AccountSessions accounts, Func<IS3Api> s3, int maxCidr)
        {
            // The S3 layout needs each rule's account: its own OwnerId, else the caller's.
            string AccountOf(Scope scope) => scope.Account ?? accounts.For(null, scope.Region).AccountId(scope.Region);
            if (saved != null)
            {
                UseExposure(saved);
                if (sources.FlowLogUris.Count > 0) LearnAccounts(AccountOf);
            }
            else ReadExposure(scope => accounts.For(scope.Account, scope.Region).Ec2(scope.Region), AccountOf);

            if (sources.Aggregated) ReadAggregates(AggregateFiles(sources, s3));
            else ReadFlowLogs(FlowLogFiles(sources, s3));
            return Results(maxCidr);
        }

        /// <summary>Local files, then in S3 the days of the window for the accounts and regions of the rules.</summary>
        private List<FlowLogFile> FlowLogFiles(EvidenceSources sources, Func<IS3Api> s3)
        {
            var files = FlowLogSources.Local(sources.FlowLogPaths).ToList();
            foreach (var uri in sources.FlowLogUris)
                files.AddRange(FlowLogSources.InS3(s3(), uri, Accounts, Evidence.Since, Evidence.Until, sources.HiveCompatiblePartitions,
                    (e, where) => ListingFailed(e, where, uri)));
            return files;
        }

        /// <summary>The aggregate query's result files, local and in S3.</summary>
        private List<FlowLogFile> AggregateFiles(EvidenceSources sources, Func<IS3Api> s3)
        {
            var files = FlowLogSources.LocalAggregates(sources.AggregatePaths).ToList();
            foreach (var uri in sources.AggregateUris)
            {
                try
                {
                    var found = FlowLogSources.AggregatesInS3(s3(), uri);
                    if (found.Count == 0) _handlers.Warning($"No .csv result under {uri}.");
                    files.AddRange(found);
                }
                catch (AwsServiceException e) { ListingFailed(e, uri, uri); }
            }
            return files;
        }

        private void ListingFailed(AwsServiceException e, string where, string uri)
        {
            var info = AwsErrors.Explain(e, where);
            _handlers.Failure(WorkFailure.Of(uri, new ScopeFailure(info.ErrorId, info.Kind, info.Message, uri, e)));
        }

        /// <summary>Each rule with its evidence and recommendation.</summary>
        public IEnumerable<OpenIngressRule> Results(int maxCidr) => Evidence.Results(_exposure!, maxCidr);

        private static Scope Of((OpenIngressRule Rule, RuleIdentity Identity) r) => new Scope(r.Rule.OwnerId, r.Rule.Region!);

        /// <summary>This run's handlers for a worker's results: its notes go on to the caller's.</summary>
        private WorkerHandlers<T> Forward<T>(Action<T> result) => new WorkerHandlers<T>
        {
            Result = result,
            Progress = _handlers.Progress,
            Verbose = _handlers.Verbose,
            Warning = _handlers.Warning,
            Failure = _handlers.Failure,
        };
    }
}
