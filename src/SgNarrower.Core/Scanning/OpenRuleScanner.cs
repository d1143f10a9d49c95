using SgNarrower.AwsApi;
using SgNarrower.Exposure;
using SgNarrower.Matching;
using SgNarrower.Rules;

namespace SgNarrower.Scanning
{
    /// <summary>
    /// Finds open rules in one region with as few calls as EC2 allows: one paginated sweep of
    /// DescribeSecurityGroups (names, VPCs, tags, permissions), then DescribeSecurityGroupRules only for the
    /// groups of that page that have open rules, to learn each rule's id and tags. Streams page by page.
    /// </summary>
    public sealed class OpenRuleScanner
    {
        private readonly OpenRuleMatcher _matcher;
        private readonly Action<string>? _verbose;
        private readonly Action<ScanProgress>? _progress;

        private readonly Action<string>? _warn;

        public OpenRuleScanner(OpenRuleMatcher matcher, Action<string>? verbose = null, Action<ScanProgress>? progress = null, Action<string>? warn = null)
        {
            _matcher = matcher;
            _verbose = verbose;
            _progress = progress;
            _warn = warn;
        }

        // Prefix lists of this region, read once each: the entry that makes a list open, or null.
        private readonly Dictionary<string, string?> _prefixLists = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// The customer-managed prefix lists among these that hold an open entry (0.0.0.0/0, ::/0, or broad enough under
        /// the policy), with that entry. AWS-managed lists (com.amazonaws.*) are never open. Each list is read once.
        /// </summary>
        private Dictionary<string, string> OpenPrefixLists(IEc2Api api, IEnumerable<string> ids)
        {
            var unknown = ids.Where(id => !_prefixLists.ContainsKey(id)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            foreach (var chunk in Paging.Chunk(unknown))
            {
                _verbose?.Invoke($"{api.Region}: DescribeManagedPrefixLists for {chunk.Count} list(s)");
                var infos = api.DescribeManagedPrefixLists(chunk).ToDictionary(p => p.PrefixListId, StringComparer.OrdinalIgnoreCase);
                foreach (var id in chunk)
                {
                    _prefixLists[id] = null;
                    if (!infos.TryGetValue(id, out var info) || info.IsAwsManaged) continue;
                    // Pages are asked for only until an open entry shows.
                    _prefixLists[id] = Paging.All(token =>
                    {
                        _verbose?.Invoke($"{api.Region}: GetManagedPrefixListEntries {id}");
                        return api.GetManagedPrefixListEntries(id, token);
                    }).FirstOrDefault(_matcher.IsOpenSource);
                }
            }
            return ids.Where(id => _prefixLists.TryGetValue(id, out var e) && e != null).Distinct(StringComparer.OrdinalIgnoreCase)
                .ToDictionary(id => id, id => _prefixLists[id]!, StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>A rule's deadline, if it carries one: not reported before it (unless asked), reported with it after.</summary>
        private OpenIngressRule? UnlessOpenOnPurpose(OpenIngressRule rule, ScanScope scope)
        {
            var opening = TemporaryOpening.Of(rule.Tags);
            if (opening == null) return rule;
            if (opening.Malformed != null)
            {
                _warn?.Invoke($"{rule} ({rule.SecurityGroupRuleId}) has {TemporaryOpening.Tag} '{opening.Malformed}', which is not an ISO 8601 date or time (like 2026-12-01 or 2026-12-01T18:00Z); it is reported as open.");
                return rule;
            }
            var withDeadline = rule with { OpenUntil = opening.Until };
            if (!opening.IsOpenUntilLater(scope.Now)) return withDeadline;
            if (scope.IncludeTemporary) return withDeadline;
            _verbose?.Invoke($"{rule} ({rule.SecurityGroupRuleId}) is open on purpose until {opening.Until:u}; not reported (-IncludeTemporary lists it).");
            return null;
        }

        /// <summary>Group ids asked for in the last scan that EC2 did not return.</summary>
        public IReadOnlyList<string> MissingGroupIds { get; private set; } = Array.Empty<string>();

        public IEnumerable<OpenIngressRule> ScanRegion(IEc2Api api, ScanScope scope)
        {
            if (scope.PageSize < 5 || scope.PageSize > 1000) throw new ArgumentOutOfRangeException(nameof(scope), "EC2 page sizes are 5 to 1000.");
            MissingGroupIds = Array.Empty<string>();
            var progress = new ScanProgress { Region = api.Region };
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var requested = scope.GroupIds.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var idChunks = requested.Count == 0 ? new List<IReadOnlyList<string>> { Array.Empty<string>() } : Paging.Chunk(requested);

            var exposure = scope.IncludeExposure || scope.Exposure != null ? new ExposureReader(api, _verbose) : null;
            foreach (var ids in idChunks)
            {
                var query = new GroupQuery { GroupIds = ids, VpcIds = scope.VpcIds, PageSize = scope.PageSize };
                // Page by page: each page's open rules stream out before the next page is asked for.
                foreach (var page in Paging.Pages(token =>
                {
                    _verbose?.Invoke($"{api.Region}: DescribeSecurityGroups (page {progress.Pages + 1}{Scope(query)})");
                    return api.DescribeSecurityGroups(query, token);
                }))
                {
                    progress.Pages++;
                    progress.GroupsScanned += page.Items.Count;
                    foreach (var g in page.Items) seen.Add(g.GroupId);

                    var candidates = page.Items.SelectMany(g => _matcher.Match(g, api.Region)).ToList();
                    var lists = OpenPrefixLists(api, page.Items.SelectMany(_matcher.PrefixListIdsOf));
                    if (lists.Count > 0) candidates.AddRange(page.Items.SelectMany(g => _matcher.MatchPrefixLists(g, api.Region, lists)));
                    if (candidates.Count > 0)
                    {
                        var withIds = AttachRuleIds(api, candidates, scope.PageSize);
                        var map = exposure?.Read(withIds.Select(r => r.GroupId));
                        foreach (var attached in withIds)
                        {
                            var admitted = Admit(attached, map, scope.Exposure);
                            var rule = admitted == null ? null : UnlessOpenOnPurpose(admitted, scope);
                            if (rule == null) continue;
                            progress.OpenRules++;
                            yield return rule;
                        }
                    }
                    _progress?.Invoke(progress);
                }
            }
            MissingGroupIds = requested.Where(id => !seen.Contains(id)).ToList();
        }

        /// <summary>
        /// The open rules of a saved export, group by group as they are read: matched as a live scan matches them,
        /// exempt rules left out, exposure judged from saved network exports where they are given (and filtered by
        /// <paramref name="exposures"/>). <paramref name="groupRead"/> is told how many groups have been read.
        /// </summary>
        public IEnumerable<OpenIngressRule> ScanExport(IEnumerable<SecurityGroupSnapshot> groups, string? region, ExposureMap? exposure,
            IReadOnlyCollection<ExposureLevel>? exposures, Action<int>? groupRead = null)
        {
            int read = 0;
            foreach (var group in groups)
            {
                read++;
                foreach (var match in _matcher.Match(group, region))
                    if (Admit(match, exposure, exposures) is OpenIngressRule rule) yield return rule;
                groupRead?.Invoke(read);
            }
        }

        /// <summary>A matched rule as reported: null where its tags exempt it or its exposure is not among those asked for.</summary>
        private OpenIngressRule? Admit(OpenIngressRule rule, ExposureMap? exposure, IReadOnlyCollection<ExposureLevel>? exposures)
        {
            if (_matcher.IsRuleExempt(rule.Tags)) return null;
            if (exposure == null) return rule;
            var annotated = exposure.Annotate(rule);
            return exposures == null || exposures.Contains(annotated.Exposure!.Value) ? annotated : null;
        }

        /// <summary>Joins the candidates with DescribeSecurityGroupRules rows on group and rule identity.</summary>
        private List<OpenIngressRule> AttachRuleIds(IEc2Api api, List<OpenIngressRule> candidates, int pageSize)
        {
            var groupIds = candidates.Select(c => c.GroupId).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var byKey = new Dictionary<(string, RuleIdentity), SecurityGroupRuleInfo>();
            foreach (var chunk in Paging.Chunk(groupIds))
                foreach (var r in Paging.All(token =>
                {
                    _verbose?.Invoke($"{api.Region}: DescribeSecurityGroupRules for {chunk.Count} group(s) with open rules");
                    return api.DescribeSecurityGroupRules(chunk, pageSize, token);
                }))
                    if (!r.IsEgress && r.Identity is RuleIdentity id) byKey[(r.GroupId.ToLowerInvariant(), id)] = r;
            var attached = new List<OpenIngressRule>(candidates.Count);
            foreach (var c in candidates)
            {
                var id = c.IdentityOrNull();
                attached.Add(id != null && byKey.TryGetValue((c.GroupId.ToLowerInvariant(), id), out var info)
                    ? c with { SecurityGroupRuleId = info.SecurityGroupRuleId, Description = c.Description ?? info.Description, Tags = new Dictionary<string, string>(info.Tags ?? new Dictionary<string, string>()) }
                    : c);
            }
            return attached;
        }

        private static string Scope(GroupQuery q)
        {
            var parts = new List<string>();
            if (q.GroupIds.Count > 0) parts.Add($"{q.GroupIds.Count} group id(s)");
            if (q.VpcIds.Count > 0) parts.Add("VPC " + string.Join(", ", q.VpcIds));
            return parts.Count == 0 ? "" : ", " + string.Join("; ", parts);
        }
    }
}
