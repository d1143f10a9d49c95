using System;
using System.Collections.Generic;
using System.Linq;
using SgNarrower.Aws;
using SgNarrower.Scanning;

namespace SgNarrower.Changes
{
    /// <summary>What happened to one group's rules, and the group-level failure to report, if any.</summary>
    public sealed class GroupOutcome
    {
        public List<IngressRuleChange> Changes { get; } = new List<IngressRuleChange>();
        public FailureInfo? Failure { get; set; }
        public AwsServiceException? Exception { get; set; }
    }

    /// <summary>
    /// Changes the rules of one security group with as few calls as EC2 allows: one authorize for all replacements,
    /// one revoke for all rules (by id). A rule that is already gone never makes the others fail: when EC2 refuses
    /// the whole call because one rule does not exist (outside the default VPC), the group's rules are described,
    /// the missing ones are reported as already absent, and the rest are revoked in one more call.
    /// </summary>
    public sealed class GroupChanges
    {
        /// <summary>Tag put on every replacement rule (value: the run id), so that a restore can remove it again.</summary>
        public const string ReplacementTag = "sgnarrower:replacement";
        /// <summary>Tag put on every rule granted back by a restore (value: the run id).</summary>
        public const string RestoredTag = "sgnarrower:restored";
        public const int MaxDescriptionLength = 255;

        private readonly IEc2Api _api;
        private readonly Action<string>? _verbose;

        public GroupChanges(IEc2Api api, Action<string>? verbose = null)
        {
            _api = api;
            _verbose = verbose;
        }

        // ------------------------------------------------------------------ revoke and narrow

        public GroupOutcome Revoke(string groupId, IReadOnlyList<OpenIngressRule> rules, IReadOnlyList<string> replaceWith, string runId)
        {
            var outcome = new GroupOutcome();
            var items = rules.Select(r => (Rule: r, Change: new IngressRuleChange(r, "Revoke"))).ToList();
            outcome.Changes.AddRange(items.Select(i => i.Change));
            try
            {
                if (replaceWith.Count > 0)
                {
                    var grants = new Dictionary<string, RuleSpecification>(StringComparer.Ordinal);
                    foreach (var (rule, change) in items)
                        foreach (var source in replaceWith)
                        {
                            var g = Replacement(rule, source);
                            if (!grants.ContainsKey(g.Key)) grants[g.Key] = g;
                            change.ReplacedWith.Add(source);
                        }
                    _verbose?.Invoke($"{_api.Region}: AuthorizeSecurityGroupIngress {groupId}: {grants.Count} replacement rule(s)");
                    var created = AuthorizeAllowingExisting(groupId, grants.Values.ToList(), new Dictionary<string, string> { [ReplacementTag] = runId }, out _);
                    foreach (var (rule, change) in items)
                        change.NewRuleIds.AddRange(created.Where(c => SamePorts(c, rule)).Select(c => c.SecurityGroupRuleId));
                }
            }
            catch (AwsServiceException e)
            {
                // The open rules stay: nobody is locked out halfway.
                Fail(outcome, items.Select(i => i.Change), e, groupId, "The replacement could not be granted, so the open rule was left in place. ");
                return outcome;
            }

            var success = replaceWith.Count > 0 ? ChangeStatus.Narrowed : ChangeStatus.Revoked;
            var byId = items.Where(i => i.Rule.SecurityGroupRuleId != null).ToList();
            var byPermission = items.Where(i => i.Rule.SecurityGroupRuleId == null).ToList();
            try
            {
                if (byId.Count > 0) RevokeByIds(groupId, byId, success);
                if (byPermission.Count > 0) RevokeByPermissions(groupId, byPermission, success);
            }
            catch (AwsServiceException e) when (e.ErrorCode == "InvalidGroup.NotFound" || e.ErrorCode == "InvalidGroupId.NotFound")
            {
                foreach (var (_, change) in items.Where(i => !Done(i.Change)))
                {
                    change.Status = ChangeStatus.AlreadyAbsent;
                    change.Error = $"Security group {groupId} does not exist in {_api.Region} (deleted since the scan, or the rule names another region).";
                }
            }
            catch (AwsServiceException e)
            {
                var note = replaceWith.Count > 0 ? "The replacement was granted, but the open rule is still in place. " : "";
                Fail(outcome, items.Select(i => i.Change).Where(c => !Done(c)), e, groupId, note);
            }
            return outcome;
        }

        private void RevokeByIds(string groupId, List<(OpenIngressRule Rule, IngressRuleChange Change)> items, ChangeStatus success)
        {
            var ids = items.Select(i => i.Rule.SecurityGroupRuleId!).Distinct(StringComparer.Ordinal).ToList();
            IReadOnlyList<string> revoked;
            try
            {
                _verbose?.Invoke($"{_api.Region}: RevokeSecurityGroupIngress {groupId}: {ids.Count} rule id(s)");
                revoked = _api.RevokeIngressByIds(groupId, ids);
            }
            catch (AwsServiceException e) when (IsRuleNotFound(e))
            {
                var existing = new HashSet<string>(DescribeIngress(groupId).Select(r => r.SecurityGroupRuleId), StringComparer.Ordinal);
                var remaining = ids.Where(existing.Contains).ToList();
                _verbose?.Invoke($"{_api.Region}: {ids.Count - remaining.Count} rule(s) of {groupId} are already gone; revoking the other {remaining.Count}");
                revoked = remaining.Count == 0 ? Array.Empty<string>() : _api.RevokeIngressByIds(groupId, remaining);
            }
            var done = new HashSet<string>(revoked, StringComparer.Ordinal);
            foreach (var (rule, change) in items)
                change.Status = done.Contains(rule.SecurityGroupRuleId!) ? success : ChangeStatus.AlreadyAbsent;
        }

        private void RevokeByPermissions(string groupId, List<(OpenIngressRule Rule, IngressRuleChange Change)> items, ChangeStatus success)
        {
            var specs = items.Select(i => RuleSpecification.From(i.Rule)).GroupBy(s => s.Key).Select(g => g.First()).ToList();
            IReadOnlyList<string> unknown;
            try
            {
                _verbose?.Invoke($"{_api.Region}: RevokeSecurityGroupIngress {groupId}: {specs.Count} permission(s)");
                unknown = _api.RevokeIngressByPermissions(groupId, specs);
            }
            catch (AwsServiceException e) when (IsRuleNotFound(e))
            {
                var existing = new HashSet<string>(DescribeIngress(groupId).Select(RuleSpecification.KeyOf), StringComparer.Ordinal);
                var remaining = specs.Where(s => existing.Contains(s.Key)).ToList();
                var gone = specs.Where(s => !existing.Contains(s.Key)).Select(s => s.Key).ToList();
                if (remaining.Count > 0) gone.AddRange(_api.RevokeIngressByPermissions(groupId, remaining));
                unknown = gone;
            }
            var absent = new HashSet<string>(unknown, StringComparer.Ordinal);
            foreach (var (rule, change) in items)
                change.Status = absent.Contains(RuleSpecification.From(rule).Key) ? ChangeStatus.AlreadyAbsent : success;
        }

        private static RuleSpecification Replacement(OpenIngressRule rule, string source)
        {
            var spec = new RuleSpecification { IpProtocol = Protocols.Canonical(rule.IpProtocol), FromPort = rule.FromPort, ToPort = rule.ToPort };
            if (source.StartsWith("sg-", StringComparison.OrdinalIgnoreCase)) spec.ReferencedGroupId = source;
            else if (Cidr.Parse(source).IsIpv6) spec.CidrIpv6 = source;
            else spec.CidrIpv4 = source;
            var text = $"SgNarrower: replaces {rule.Cidr}" + (rule.SecurityGroupRuleId != null ? $" ({rule.SecurityGroupRuleId})" : "");
            spec.Description = text.Length > MaxDescriptionLength ? text.Substring(0, MaxDescriptionLength) : text;
            return spec;
        }

        // ------------------------------------------------------------------ restore

        public GroupOutcome Restore(string groupId, IReadOnlyList<OpenIngressRule> rules, bool keepReplacements, string runId)
        {
            var outcome = new GroupOutcome();
            var items = rules.Select(r => (Rule: r, Change: new IngressRuleChange(r, "Restore"))).ToList();
            outcome.Changes.AddRange(items.Select(i => i.Change));
            try
            {
                var existing = DescribeIngress(groupId);
                var existingKeys = new HashSet<string>(existing.Select(RuleSpecification.KeyOf), StringComparer.Ordinal);
                var toGrant = new Dictionary<string, RuleSpecification>(StringComparer.Ordinal);
                foreach (var (rule, change) in items)
                {
                    var spec = RuleSpecification.From(rule);
                    if (existingKeys.Contains(spec.Key)) change.Status = ChangeStatus.AlreadyPresent;
                    else if (!toGrant.ContainsKey(spec.Key)) toGrant[spec.Key] = spec;
                }
                if (toGrant.Count > 0)
                {
                    _verbose?.Invoke($"{_api.Region}: AuthorizeSecurityGroupIngress {groupId}: {toGrant.Count} rule(s) from the record");
                    var created = AuthorizeAllowingExisting(groupId, toGrant.Values.ToList(), new Dictionary<string, string> { [RestoredTag] = runId }, out var alreadyThere);
                    var createdByKey = created.GroupBy(RuleSpecification.KeyOf).ToDictionary(g => g.Key, g => g.First().SecurityGroupRuleId, StringComparer.Ordinal);
                    foreach (var (rule, change) in items.Where(i => i.Change.Status != ChangeStatus.AlreadyPresent))
                    {
                        var key = RuleSpecification.From(rule).Key;
                        if (createdByKey.TryGetValue(key, out var id)) { change.Status = ChangeStatus.Restored; change.NewRuleIds.Add(id); }
                        else if (alreadyThere.Contains(key)) change.Status = ChangeStatus.AlreadyPresent;
                        else change.Status = ChangeStatus.Restored;
                    }
                }
                if (!keepReplacements)
                {
                    var replacements = existing.Where(r => r.Tags != null && r.Tags.ContainsKey(ReplacementTag) && items.Any(i => SamePorts(r, i.Rule))).ToList();
                    if (replacements.Count > 0)
                    {
                        _verbose?.Invoke($"{_api.Region}: RevokeSecurityGroupIngress {groupId}: {replacements.Count} replacement rule(s) that narrowing added");
                        _api.RevokeIngressByIds(groupId, replacements.Select(r => r.SecurityGroupRuleId).ToList());
                    }
                }
            }
            catch (AwsServiceException e)
            {
                Fail(outcome, items.Select(i => i.Change).Where(c => c.Status != ChangeStatus.AlreadyPresent && c.Status != ChangeStatus.Restored), e, groupId, "");
            }
            return outcome;
        }

        // ------------------------------------------------------------------ shared

        /// <summary>One authorize call; if EC2 refuses it because some rule exists, grant only the missing ones.</summary>
        private IReadOnlyList<SecurityGroupRuleInfo> AuthorizeAllowingExisting(string groupId, List<RuleSpecification> grants,
            IReadOnlyDictionary<string, string> tags, out HashSet<string> alreadyThere)
        {
            alreadyThere = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                return _api.AuthorizeIngress(groupId, grants, tags);
            }
            catch (AwsServiceException e) when (e.ErrorCode == "InvalidPermission.Duplicate")
            {
                var existing = new HashSet<string>(DescribeIngress(groupId).Select(RuleSpecification.KeyOf), StringComparer.Ordinal);
                var missing = grants.Where(g => !existing.Contains(g.Key)).ToList();
                foreach (var g in grants.Where(g => existing.Contains(g.Key))) alreadyThere.Add(g.Key);
                return missing.Count == 0 ? Array.Empty<SecurityGroupRuleInfo>() : _api.AuthorizeIngress(groupId, missing, tags);
            }
        }

        private List<SecurityGroupRuleInfo> DescribeIngress(string groupId)
        {
            var rules = new List<SecurityGroupRuleInfo>();
            string? token = null;
            do
            {
                _verbose?.Invoke($"{_api.Region}: DescribeSecurityGroupRules {groupId}");
                var page = _api.DescribeSecurityGroupRules(new[] { groupId }, 1000, token);
                rules.AddRange(page.Items.Where(r => !r.IsEgress));
                token = page.NextToken;
            } while (token != null);
            return rules;
        }

        private static bool SamePorts(SecurityGroupRuleInfo info, OpenIngressRule rule)
        {
            var (from, to) = Protocols.CanonicalPorts(rule.IpProtocol, rule.FromPort, rule.ToPort);
            var (f2, t2) = Protocols.CanonicalPorts(info.IpProtocol, info.FromPort, info.ToPort);
            return Protocols.Canonical(info.IpProtocol) == Protocols.Canonical(rule.IpProtocol) && from == f2 && to == t2;
        }

        private static bool IsRuleNotFound(AwsServiceException e) =>
            e.ErrorCode == "InvalidPermission.NotFound" || e.ErrorCode == "InvalidSecurityGroupRuleId.NotFound";

        private static bool Done(IngressRuleChange c) => c.Status == ChangeStatus.Revoked || c.Status == ChangeStatus.Narrowed || c.Status == ChangeStatus.AlreadyAbsent;

        private void Fail(GroupOutcome outcome, IEnumerable<IngressRuleChange> changes, AwsServiceException e, string groupId, string note)
        {
            var info = AwsErrors.Describe(e, $"security group {groupId} in {_api.Region}");
            outcome.Failure = new FailureInfo(info.ErrorId, info.Kind, note + info.Message);
            outcome.Exception = e;
            foreach (var c in changes)
            {
                c.Status = ChangeStatus.Failed;
                c.Error = outcome.Failure.Message;
                c.ErrorId = info.ErrorId;
            }
        }
    }
}
