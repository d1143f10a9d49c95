using System.Threading;
using SgNarrower.AwsApi;
using SgNarrower.Concurrency;
using SgNarrower.Exposure;

namespace SgNarrower.Commands
{
    /// <summary>
    /// What the cmdlets that call EC2 share: roles in other accounts, how many (account, region) scopes run at once,
    /// what share of EC2's request buckets they take, and the loop that writes what the workers queue.
    /// </summary>
    public abstract class Ec2Cmdlet : AwsCmdlet
    {
        /// <summary>The role to assume in each account (arn:&lt;partition&gt;:iam::&lt;account&gt;:role/&lt;RoleName&gt;).</summary>
        [Parameter, ValidatePattern(@"^[\w+=,.@/-]{1,512}$"), ValidatePlainText]
        public string? RoleName { get; set; }

        [Parameter, ValidatePattern(@"^[\w+=,.@:/-]{2,1224}$"), ValidatePlainText]
        public string? ExternalId { get; set; }

        /// <summary>How many (account, region) scopes are worked on at once.</summary>
        [Parameter, ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 8;

        /// <summary>The share of each of EC2's per-account, per-region request buckets to use, 0.05 to 1.</summary>
        [Parameter, ValidateRange(0.05, 1.0)]
        public double RateShare { get; set; } = 1.0;

        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        protected override AwsConnection Connection => base.Connection with { RateShare = RateShare };

        protected override void StopProcessing() => _stop.Cancel();

        /// <summary>Cancelled when the command is stopped (Ctrl+C).</summary>
        protected CancellationToken StopToken => _stop.Token;

        protected AccountSessions Accounts(IAwsSession session, string runId, string? region)
        {
            if (ExternalId != null && RoleName == null)
                ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument, "-ExternalId goes with -RoleName.", null));
            return new AccountSessions(session, RoleName, ExternalId, runId, region ?? session.DefaultRegion ?? "us-east-1");
        }

        /// <summary>Runs the scopes at once (at most -ThrottleLimit); output, errors and verbose lines are written here, on the pipeline thread.</summary>
        protected void RunScopes<TScope>(IReadOnlyList<TScope> scopes, Action<TScope, IScopeSink> work, Action<object> output,
            Func<TScope, Exception, ErrorRecord> error, Action<TScope>? done = null, Action<string>? progress = null) where TScope : notnull
        {
            ScopeRunner.Run(scopes, ThrottleLimit, work, message =>
            {
                var scope = (TScope)message.Scope;
                switch (message.Kind)
                {
                    case ScopeMessageKind.Output: output(message.Payload!); break;
                    case ScopeMessageKind.Progress: progress?.Invoke((string)message.Payload!); break;
                    case ScopeMessageKind.Verbose: WriteVerbose((string)message.Payload!); break;
                    case ScopeMessageKind.Warning: WriteWarning((string)message.Payload!); break;
                    case ScopeMessageKind.Error: WriteError(error(scope, (Exception)message.Payload!)); break;
                    case ScopeMessageKind.Done: done?.Invoke(scope); break;
                }
            }, _stop.Token);
        }

        /// <summary>An error a worker met, as an error record: stable ids for ours and AWS's, the scope as target.</summary>
        protected static ErrorRecord ScopeError(Scope scope, Exception e) => e switch
        {
            AccountUnavailableException a => Errors.Record(a.Failure.ErrorId, Errors.Category(a.Failure.Kind), a.Failure.Message, a.Account, a.InnerException),
            AwsServiceException s => Errors.Aws(s, (scope.Account != null ? $"account {scope.Account}, " : "") + "region " + scope.Region, scope.ToString()),
            AwsSetupException s => Errors.Setup(s),
            _ => FailureError(scope, e),
        };

        /// <summary>An error about one thing a worker handled (a group, a file): its own id, the thing as target.</summary>
        protected static ErrorRecord FailureError(object what, Exception e) => e is ScopeFailure f
            ? Errors.Record(f.ErrorId, Errors.Category(f.Kind), f.Message, f.Target ?? what.ToString(), f.InnerException)
            : Errors.Record("UnexpectedError", ErrorCategory.NotSpecified, $"{what}: {e.Message}", what.ToString(), e);

        /// <summary>
        /// Exposure from saved exports instead of calls: both are needed (a public address says nothing without the
        /// route tables); null when neither is given.
        /// </summary>
        protected ExposureMap? ReadNetworkExports(string? interfacesPath, string? routeTablesPath, bool wanted)
        {
            if (!wanted && interfacesPath == null && routeTablesPath == null) return null;
            if (interfacesPath == null || routeTablesPath == null)
                ThrowTerminatingError(Errors.Record("ExposureNeedsNetwork", ErrorCategory.InvalidArgument,
                    "Offline exposure needs the region's network interfaces and route tables, saved beside the groups: " +
                    "-NetworkInterfacePath (aws ec2 describe-network-interfaces > interfaces.json) and -RouteTablePath (aws ec2 describe-route-tables > route-tables.json).", null));
            var interfaces = ReadNetworkFile(interfacesPath!, NetworkJsonReader.ReadInterfaces);
            var tables = ReadNetworkFile(routeTablesPath!, NetworkJsonReader.ReadRouteTables);
            WriteVerbose($"Exposure from {interfaces.Count} network interface(s) and {tables.Count} route table(s), read from files.");
            return new ExposureMap(interfaces, tables);
        }

        private List<T> ReadNetworkFile<T>(string path, Func<string, List<T>> read)
        {
            var file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            try { return read(System.IO.File.ReadAllText(file)); }
            catch (FormatException e)
            {
                ThrowTerminatingError(Errors.Record("InvalidNetworkFile", ErrorCategory.InvalidData, $"'{file}': {e.Message}", file, e));
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                ThrowTerminatingError(Errors.Record("FileUnreadable", ErrorCategory.ReadError, $"Cannot read '{file}': {e.Message}", file, e));
            }
            return new List<T>();
        }
    }
}
