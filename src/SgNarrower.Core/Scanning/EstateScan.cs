using SgNarrower.AwsApi;
using SgNarrower.Concurrency;
using SgNarrower.Matching;

namespace SgNarrower.Scanning
{
    /// <summary>
    /// A live scan of many accounts and regions, one (account, region) scope at a time on whatever runs the scopes:
    /// first each account's regions (a wildcard asks DescribeRegions in that account), then each scope's open rules.
    /// What a scope finds, its progress and its errors go to the scope's sink, in the order they happen.
    /// </summary>
    public sealed class EstateScan
    {
        private readonly AccountSessions _accounts;
        private readonly IReadOnlyList<string> _regionPatterns;
        private readonly string _home;
        private readonly OpenRuleMatcher _matcher;
        private readonly ScanScope _scope;

        /// <param name="regionPatterns">Region names and wildcards (us-*, *).</param>
        /// <param name="home">The region an account's DescribeRegions is asked in.</param>
        public EstateScan(AccountSessions accounts, IReadOnlyList<string> regionPatterns, string home, OpenRuleMatcher matcher, ScanScope scope)
        {
            _accounts = accounts;
            _regionPatterns = regionPatterns;
            _home = home;
            _matcher = matcher;
            _scope = scope;
        }

        /// <summary>The accounts to start from (null: the caller's own), each in the home region.</summary>
        public IReadOnlyList<Scope> Accounts(IEnumerable<string>? accountIds) =>
            (accountIds?.Cast<string?>() ?? new string?[] { null }).Distinct().Select(a => new Scope(a, _home)).ToList();

        /// <summary>Writes the (account, region) scopes of one account: its regions that the patterns name.</summary>
        public void Regions(Scope account, IWorkerSink<Scope> sink)
        {
            var enabled = _regionPatterns.Any(RegionPatterns.HasWildcard) ? _accounts.For(account.Account, _home).Ec2(_home).DescribeRegions() : Array.Empty<string>();
            foreach (var region in RegionPatterns.Expand(_regionPatterns, enabled)) sink.Result(new Scope(account.Account, region));
        }

        /// <summary>Writes one scope's open rules, progress (a <see cref="ScopePage"/>) after each page, and an error for each group asked for and not found.</summary>
        public void Scan(Scope scope, IWorkerSink<OpenIngressRule> sink)
        {
            var api = _accounts.For(scope.Account, scope.Region).Ec2(scope.Region);
            var scanner = new OpenRuleScanner(_matcher, sink.Verbose, p => sink.Progress(new WorkProgress(new ScopePage(scope, p.GroupsScanned, p.Pages, p.OpenRules).ToString())), sink.Warning);
            foreach (var rule in scanner.ScanRegion(api, _scope)) sink.Result(rule);
            foreach (var missing in scanner.MissingGroupIds)
                sink.Failure(new ScopeFailure("SecurityGroupNotFound", FailureKind.NotFound,
                    $"Security group {missing} was not found in {scope}. Check the id, the region and the account.", missing));
        }
    }
}
