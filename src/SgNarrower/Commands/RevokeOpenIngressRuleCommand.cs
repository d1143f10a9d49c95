using SgNarrower.Audit;
using SgNarrower.AwsApi;
using SgNarrower.Changes;
using SgNarrower.Rules;

namespace SgNarrower.Commands
{
    /// <summary>
    /// Revokes open rules, or narrows them to replacement sources. Every rule is planned against its group as EC2 holds
    /// it now, journaled as it is, changed with one call per group, and reported from what EC2 says it did.
    /// </summary>
    [Cmdlet(VerbsSecurity.Revoke, "OpenIngressRule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = InputSet)]
    [OutputType(typeof(IngressRuleChange))]
    public sealed class RevokeOpenIngressRuleCommand : AwsCmdlet, IDisposable
    {
        private const string InputSet = "InputObject";
        private const string RuleSet = "Rule";

        /// <summary>The region for rules that do not name one. A rule's own Region always wins.</summary>
        [Parameter, ArgumentCompleter(typeof(Completers.RegionCompleter)), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? Region { get; set; }

        /// <summary>The account for rules that do not name one (OwnerId). A rule's own OwnerId always wins.</summary>
        [Parameter, ValidatePattern(AwsNames.AccountIdPattern), ValidatePlainText]
        public string? AccountId { get; set; }

        /// <summary>
        /// Inbound rules a group may hold per address family: EC2's default of 60, or the account's raised quota
        /// (Service Quotas L-0EA8095F). A change that would take a group past it is refused before anything is granted.
        /// </summary>
        [Parameter, ValidateRange(1, Changes.RuleQuota.Most)]
        public int RuleQuota { get; set; } = Changes.RuleQuota.Default;

        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>The role to assume in each account (arn:&lt;partition&gt;:iam::&lt;account&gt;:role/&lt;RoleName&gt;).</summary>
        [Parameter, ValidatePattern(RoleNamePattern), ValidatePlainText]
        public string? RoleName { get; set; }

        [Parameter, ValidatePattern(ExternalIdPattern), ValidatePlainText]
        public string? ExternalId { get; set; }

        /// <summary>How many (account, region) scopes are worked on at once.</summary>
        [Parameter, ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 8;

        /// <summary>The share of each of EC2's per-account, per-region request buckets to use, 0.05 to 1.</summary>
        [Parameter, ValidateRange(0.05, 1.0)]
        public double RateShare { get; set; } = 1.0;

        protected override AwsConnection Connection => base.Connection with { RateShare = RateShare };

        private ChangePump? _pump;

        /// <summary>The change stream of this command and what writes its results, made with the first request.</summary>
        private ChangePump OpenPump(AccountSessions accounts, PlanOptions options) => _pump ??= new ChangePump(accounts, options, ThrottleLimit, PumpHost(Force), StopToken);

        /// <summary>Rules from Get-OpenIngressRule, Export-IngressAudit, Import-Csv, ConvertFrom-Json, Import-Clixml: read by property name.</summary>
        [Parameter(ParameterSetName = InputSet, Mandatory = true, ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        [Parameter(ParameterSetName = RuleSet, Mandatory = true), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? GroupId { get; set; }

        [Parameter(ParameterSetName = RuleSet), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? SecurityGroupRuleId { get; set; }

        [Parameter(ParameterSetName = RuleSet), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? IpProtocol { get; set; }

        [Parameter(ParameterSetName = RuleSet)]
        public int? FromPort { get; set; }

        [Parameter(ParameterSetName = RuleSet)]
        public int? ToPort { get; set; }

        [Parameter(ParameterSetName = RuleSet), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? CidrIpv4 { get; set; }

        [Parameter(ParameterSetName = RuleSet), ValidateNotNullOrEmpty, ValidatePlainText]
        public string? CidrIpv6 { get; set; }

        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string[]? ReplaceWith { get; set; }

        [Parameter, ValidateNotNullOrEmpty]
        public string? AuditPath { get; set; }

        [Parameter]
        public SwitchParameter SkipAudit { get; set; }

        private ReplacementSet _replacements = ReplacementSet.None;
        private bool _lookUpById;
        /// <summary>A KMS key that signs the journal, as Export-IngressAudit -SigningKeyId signs its records.</summary>
        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string? SigningKeyId { get; set; }

        /// <summary>An exceptions file (.json, .csv or .psd1): a rule it keeps open is not changed (Excepted), whatever the input says.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string? ExceptionPath { get; set; }

        /// <summary>An exceptions file in S3 (s3://bucket/key).</summary>
        [Parameter, ValidateNotNullOrEmpty, ValidatePlainText]
        public string? ExceptionUri { get; set; }

        /// <summary>The account that owns the bucket of -ExceptionUri, where it is not the caller's own.</summary>
        [Parameter, ValidatePattern(AwsNames.AccountIdPattern), ValidatePlainText]
        public string? ExpectedBucketOwner { get; set; }

        private Exceptions.ExceptionList? _exceptions;
        private bool _exceptionsRead;

        private IAwsSession? _session;
        private AuditRunInfo? _run;
        private Journal? _journal;
        private RecordSigner? _signer;

        protected override void BeginProcessing()
        {
            try { _replacements = ReplacementSet.Parse(ReplaceWith); }
            catch (FormatException e)
            {
                ThrowTerminatingError(Errors.Record("InvalidReplacement", ErrorCategory.InvalidArgument, e.Message + " Nothing was changed.", ReplaceWith, e));
            }
            if (SkipAudit && (AuditPath != null || SigningKeyId != null))
                ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument, "-SkipAudit contradicts -AuditPath and -SigningKeyId: it writes no journal.", null));
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == RuleSet)
            {
                // Only a rule id: what it allows is read from EC2 (and journaled) before anything changes.
                _lookUpById = SecurityGroupRuleId != null && IpProtocol == null && CidrIpv4 == null && CidrIpv6 == null && FromPort == null && ToPort == null;
                if (_lookUpById) return;
            }
            AuditEntry entry;
            try
            {
                entry = ParameterSetName == RuleSet ? RuleInput.Read(RuleParameter) : PipelineInput.ToEntry(InputObject!);
            }
            catch (FormatException e)
            {
                object target = (object?)InputObject ?? GroupId ?? "";
                WriteError(Errors.Record("InvalidRuleObject", ErrorCategory.InvalidData,
                    $"Cannot revoke this rule: {e.Message}. It was left as it is; give every field a rule needs.", target, e));
                return;
            }
            // Planned and revoked while later rules still arrive: the first changes go out within about a second.
            Submit(entry);
            _pump?.Pump(wait: false, Action, WriteJournal, Activity);
        }

        private string Activity => _replacements.IsEmpty ? "Revoking open ingress rules" : "Narrowing open ingress rules";

        private static string Action(PlanItem item) => item.Replacements.Count > 0
            ? $"Grant {item.Request.Identity.Permission} to {string.Join(", ", item.Replacements)}, then revoke"
            : "Revoke";

        /// <summary>The session, run and stream are made with the first rule; setup errors stop the command before any call.</summary>
        private void Submit(AuditEntry entry)
        {
            _session ??= OpenSession();
            _run ??= AuditRunInfo.New(ModuleInfo.Tool);
            if (!_exceptionsRead)
            {
                _exceptions = ReadExceptions(ExceptionPath, ExceptionUri, () => _session, Region, ExpectedBucketOwner);
                _exceptionsRead = true;
            }
            // The exceptions file as it is now decides for each rule: its own state, read earlier, is checked against the clock.
            if (_exceptions != null) entry = entry with { Rule = Excepted(entry.Rule) };
            var request = ToRequests(_session, new[] { entry }, AccountId, Region)[0];
            if (SigningKeyId != null && !SkipAudit) _signer ??= OpenSigner(_session, SigningKeyId, request.Region);
            var pump = _pump ?? OpenPump(Accounts(_session, _run.RunId, request.Region, RoleName, ExternalId), new PlanOptions(PlanKind.Revoke, _run.RunId) { Replacements = _replacements, RuleQuota = RuleQuota });
            pump.Stream.Add(request);
        }

        /// <summary>The rule against the exceptions file, in the account and region it is changed in (the caller's, -AccountId, -Region).</summary>
        private OpenIngressRule Excepted(OpenIngressRule rule)
        {
            string Region_() => rule.Region ?? ResolveRegion(_session!, Region);
            string Account()
            {
                try { return AccountId ?? _session!.AccountId(Region_()); }
                catch (AwsServiceException e)
                {
                    ThrowTerminatingError(Errors.Aws(e, "the caller's account (sts:GetCallerIdentity), which exceptions naming an account are matched against; nothing was changed", null));
                    throw; // not reached
                }
            }
            return _exceptions!.ApplyIn(rule, DateTimeOffset.UtcNow, Account, Region_);
        }

        public void Dispose()
        {
            _pump?.Dispose();
            _pump = null;
            _session?.Dispose();
            _session = null;
        }

        /// <summary>A field of the rule the Rule set's parameters give: they are named for the fields, and read like any other input.</summary>
        private object? RuleParameter(string name) =>
            MyInvocation.MyCommand.Parameters.TryGetValue(name, out var p) && p.ParameterSets.ContainsKey(RuleSet)
            && MyInvocation.BoundParameters.TryGetValue(name, out var value) ? value : null;

        protected override void EndProcessing()
        {
            if (_lookUpById)
            {
                _session ??= OpenSession();
                if (LookUpById(_session) is AuditEntry entry) Submit(entry);
            }
            if (_pump == null) return;
            _pump.Stream.Complete();
            _pump.Pump(wait: true, Action, WriteJournal, Activity);
        }

        /// <summary>-GroupId with only -SecurityGroupRuleId: the rule as EC2 holds it now is the rule to revoke.</summary>
        private AuditEntry? LookUpById(IAwsSession session)
        {
            var region = ResolveRegion(session, Region);
            LiveGroup live;
            try { live = LiveState.ReadOne(session.Ec2(region), GroupId!, WriteVerbose); }
            catch (AwsSetupException e) { ThrowSetup(e); return null; }
            catch (AwsServiceException e)
            {
                WriteError(Errors.Aws(e, $"security group {GroupId} in {region}", GroupId));
                return null;
            }
            var rule = live.ById(SecurityGroupRuleId);
            if (rule == null || rule.CidrIpv4 == null && rule.CidrIpv6 == null)
            {
                WriteError(Errors.Record(live.Exists ? "SecurityGroupRuleNotFound" : "SecurityGroupNotFound", ErrorCategory.ObjectNotFound,
                    rule == null
                        ? $"{(live.Exists ? $"Security group {GroupId} has no ingress rule {SecurityGroupRuleId}" : $"Security group {GroupId} does not exist")} in {region}. Nothing was changed."
                        : $"Rule {SecurityGroupRuleId} of {GroupId} has no CIDR source; SgNarrower revokes rules open to addresses. Nothing was changed.",
                    SecurityGroupRuleId));
                return null;
            }
            return RuleInput.FromRule(new OpenIngressRule
            {
                Region = region, GroupId = GroupId!, SecurityGroupRuleId = rule.SecurityGroupRuleId, OwnerId = rule.GroupOwnerId,
                IpProtocol = rule.IpProtocol, FromPort = rule.FromPort, ToPort = rule.ToPort, CidrIpv4 = rule.CidrIpv4, CidrIpv6 = rule.CidrIpv6,
                Description = rule.Description, Tags = new Dictionary<string, string>(rule.Tags ?? new Dictionary<string, string>()),
            });
        }

        /// <summary>
        /// Nothing is revoked without a record: what a batch has without one is journaled before its changes go out, or
        /// nothing more is revoked.
        /// </summary>
        private string? WriteJournal(IReadOnlyList<PlanItem> items)
        {
            if (SkipAudit) return null;
            _journal ??= new Journal(_run!, AuditPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(AuditPath), _signer);
            string path;
            try { path = _journal.Add(items); }
            catch (Exception e) when (e is AuditWriteException || e is IOException || e is UnauthorizedAccessException)
            {
                var id = e is AuditWriteException w ? w.ErrorId : e is UnauthorizedAccessException ? "AuditFileAccessDenied" : "AuditFileNotWritten";
                ThrowTerminatingError(Errors.Record(id, ErrorCategory.WriteError, $"The journal of the rules to revoke was not written: {e.Message} Nothing was revoked.", _journal.Location, e));
                return null;
            }
            WriteInformation(new HostInformationMessage { Message = $"Journaled {items.Count} rule(s) before revoking, to {path}." }, new[] { "PSHOST", "SgNarrower" });
            return path;
        }
    }
}
