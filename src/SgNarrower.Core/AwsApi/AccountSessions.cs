using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace SgNarrower.AwsApi
{
    /// <summary>
    /// Hands out the session for each account of a run: the caller's own, or one that assumed -RoleName in that account
    /// (once per account, refreshed by the AWS layer as it nears expiry). A role that cannot be assumed fails its
    /// account once, with the STS error; the other accounts go on. Without -RoleName, a rule of another account than the
    /// caller's is refused rather than looked for in the wrong account. Thread-safe.
    /// </summary>
    public sealed class AccountSessions
    {
        private readonly IAwsSession _caller;
        private readonly string? _roleName;
        private readonly string? _externalId;
        private readonly string _sessionName;
        private readonly ConcurrentDictionary<string, Lazy<IAwsSession>> _assumed = new ConcurrentDictionary<string, Lazy<IAwsSession>>(StringComparer.Ordinal);
        private readonly Lazy<string> _callerAccount;

        public AccountSessions(IAwsSession caller, string? roleName, string? externalId, string runId, string stsRegion)
        {
            _caller = caller;
            _roleName = roleName;
            _externalId = externalId;
            _sessionName = SessionName(runId);
            _callerAccount = new Lazy<string>(() => caller.AccountId(stsRegion));
        }

        /// <summary>"SgNarrower-&lt;run id&gt;", cut to STS's 64 characters of [\w+=,.@-]: it names the run in CloudTrail.</summary>
        public static string SessionName(string runId)
        {
            var name = Regex.Replace("SgNarrower-" + runId, @"[^\w+=,.@-]", "-");
            return name.Length > 64 ? name.Substring(0, 64) : name;
        }

        /// <summary>
        /// Throws <see cref="AccountUnavailableException"/> when work for <paramref name="account"/> would be done with the
        /// caller's credentials of another account (sts:GetCallerIdentity, asked once). No call when roles are assumed.
        /// </summary>
        public void CheckCaller(string? account)
        {
            if (account == null || _roleName != null) return;
            string mine;
            try { mine = _callerAccount.Value; }
            catch (AwsServiceException e)
            {
                var info = AwsErrors.Explain(e, "the caller's credentials");
                throw new AccountUnavailableException(account, new FailureInfo(info.ErrorId, info.Kind,
                    $"Could not tell which account the credentials belong to (sts:GetCallerIdentity), so nothing in account {account} was changed. {info.Message}"), e);
            }
            if (mine != account)
                throw new AccountUnavailableException(account, new FailureInfo("AccountMismatch", FailureKind.InvalidArgument,
                    $"The rule is in account {account}, but the credentials are for account {mine}. Nothing was changed there. Give -RoleName to assume a role in each rule's account, or use credentials of account {account}."), null);
        }

        /// <summary>The session for an account (null: the caller's own). Throws <see cref="AccountUnavailableException"/>.</summary>
        public IAwsSession For(string? account, string region)
        {
            // Without a role there is only the caller's session; CheckCaller says whether a missing group is in another account.
            if (account == null || _roleName == null) return _caller;
            var lazy = _assumed.GetOrAdd(account, a => new Lazy<IAwsSession>(() => _caller.AssumeRole(new RoleRequest(a, _roleName, _externalId, _sessionName), region)));
            try { return lazy.Value; }
            catch (AwsServiceException e)
            {
                var info = AwsErrors.Explain(e, $"account {account}");
                throw new AccountUnavailableException(account, new FailureInfo(e.ErrorCode == "AccessDenied" ? "AssumeRoleFailed" : info.ErrorId, info.Kind,
                    $"Account {account} was skipped: role {_roleName} could not be assumed there ({e.ErrorCode}). {e.Message} Check that the role exists, trusts the caller" +
                    (_externalId != null ? " with this external id" : "") + ", and that the caller may call sts:AssumeRole on it."), e);
            }
        }
    }
}
