using System.Globalization;
using System.Security;
using System.Text;

namespace SgNarrower.TestEc2;

/// <summary>An EC2 error as the Query protocol returns it.</summary>
public sealed class Ec2Error(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>
/// The state and the actions: security groups and their rules per region, with EC2's documented behaviour for
/// paging, filters, rule identity, all-or-nothing revokes outside the default VPC, duplicates and quotas.
/// </summary>
public sealed class Ec2Service
{
    private const string Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private readonly object _gate = new();
    /// <summary>The account a caller with the tests' base credentials is in.</summary>
    public const string DefaultAccount = "123456789012";
    public static readonly string[] StandardRegions =
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1",
        "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "sa-east-1",
    };
    /// <summary>Interfaces and route tables by "account/region".</summary>
    private Dictionary<string, RegionSpec> _network = new(StringComparer.Ordinal);
    /// <summary>Groups by "account/region".</summary>
    private Dictionary<string, List<GroupSpec>> _regions = new(StringComparer.Ordinal);
    private WorldSpec _world = new();
    /// <summary>The account of the call being served (set under the lock).</summary>
    private string _account = DefaultAccount;
    private readonly List<FaultSpec> _faults = new();
    private readonly List<CallRecord> _calls = new();
    private int _nextRuleId = 1;

    /// <summary>The world's rule quota per group and family (VPC quotas: 60 unless the account's is raised).</summary>
    public int RulesPerGroupLimit => _world.RulesPerGroup;

    public void Load(WorldSpec world)
    {
        lock (_gate)
        {
            _world = world;
            PinnedRegion = null;
            _regions = new(StringComparer.Ordinal);
            _network = new(StringComparer.Ordinal);
            void Add(string account, Dictionary<string, RegionSpec> regions)
            {
                foreach (var (region, spec) in regions)
                {
                    foreach (var g in spec.Groups)
                    {
                        if (account != DefaultAccount && g.OwnerId == DefaultAccount) g.OwnerId = account;
                        foreach (var r in g.Rules) r.RuleId ??= NewRuleId();
                    }
                    _regions[account + "/" + region] = spec.Groups;
                    _network[account + "/" + region] = spec;
                }
            }
            Add(DefaultAccount, world.Regions);
            foreach (var (account, spec) in world.Accounts) Add(account, spec.Regions);
            _calls.Clear();
            _faults.Clear();
            _buckets.Clear();
        }
    }

    public WorldSpec Snapshot()
    {
        lock (_gate)
        {
            var w = new WorldSpec { EnabledRegions = _world.EnabledRegions, Throttling = _world.Throttling, CredentialSeconds = _world.CredentialSeconds, RulesPerGroup = _world.RulesPerGroup, LatencyMs = _world.LatencyMs };
            foreach (var (key, groups) in _regions)
            {
                var (account, region) = (key[..key.IndexOf('/')], key[(key.IndexOf('/') + 1)..]);
                var regions = account == DefaultAccount ? w.Regions
                    : (w.Accounts.TryGetValue(account, out var a) ? a : w.Accounts[account] = new AccountSpec()).Regions;
                var network = _network.TryGetValue(key, out var n) ? n : new RegionSpec();
                regions[region] = new RegionSpec { Groups = groups, NetworkInterfaces = network.NetworkInterfaces, RouteTables = network.RouteTables, PrefixLists = network.PrefixLists };
            }
            return w;
        }
    }

    public WorldSpec World { get { lock (_gate) return _world; } }

    // ---------------------------------------------------------------- EC2's token buckets

    private sealed class Bucket
    {
        private readonly double _burst, _rate;
        private double _tokens;
        private DateTime _at = DateTime.UtcNow;
        public Bucket(double burst, double rate) { _burst = burst; _rate = rate; _tokens = burst; }
        public bool TryTake()
        {
            var now = DateTime.UtcNow;
            _tokens = Math.Min(_burst, _tokens + (now - _at).TotalSeconds * _rate);
            _at = now;
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
    }

    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Takes a token from the account and region's bucket for the action; false means RequestLimitExceeded.</summary>
    private bool TryTakeToken(string account, string region, string action)
    {
        var t = _world.Throttling;
        if (t == null) return true;
        var (category, burst, rate) = action.StartsWith("Describe", StringComparison.Ordinal) ? ("describe", t.DescribeBurst, t.DescribeRate)
            : action == "CreateTags" ? ("tags", t.TagBurst, t.TagRate)
            : ("mutating", t.MutatingBurst, t.MutatingRate);
        var key = $"{account}/{region}/{category}";
        if (!_buckets.TryGetValue(key, out var bucket)) _buckets[key] = bucket = new Bucket(burst, rate);
        return bucket.TryTake();
    }

    public void AddFault(FaultSpec fault) { lock (_gate) _faults.Add(fault); }
    public List<CallRecord> Calls() { lock (_gate) return _calls.ToList(); }
    /// <summary>When set, every request is answered from this region's state (a misrouting endpoint), whatever it was signed for.</summary>
    public string? PinnedRegion { get; set; }

    public void ResetCalls() { lock (_gate) _calls.Clear(); }

    /// <summary>Removes rules behind the module's back (another admin, a race) by id.</summary>
    public int DeleteRules(string region, IEnumerable<string> ruleIds)
    {
        lock (_gate)
        {
            _account = DefaultAccount;
            var ids = ruleIds.ToHashSet(StringComparer.Ordinal);
            int n = 0;
            foreach (var g in Groups(region)) n += g.Rules.RemoveAll(r => ids.Contains(r.RuleId!));
            return n;
        }
    }

    public int DeleteGroup(string region, string groupId)
    {
        lock (_gate)
        {
            _account = DefaultAccount;
            return Groups(region).RemoveAll(g => g.GroupId == groupId);
        }
    }

    public string Handle(string region, Dictionary<string, string> p) => Handle(DefaultAccount, region, p);

    // ---------------------------------------------------------------- calls in flight

    /// <summary>How long each EC2 answer takes (the world's LatencyMs).</summary>
    public TimeSpan Latency { get { lock (_gate) return TimeSpan.FromMilliseconds(_world.LatencyMs); } }

    private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _groupsInFlight = new(StringComparer.Ordinal);

    /// <summary>How many EC2 calls of the account and region were in flight when one arrived (itself included), and whether its group already had one.</summary>
    public readonly record struct Flight(int InFlight, bool GroupBusy);

    public Flight Enter(string account, string region, string? groupId)
    {
        lock (_gate)
        {
            var scope = account + "/" + region;
            int n = _inFlight[scope] = _inFlight.GetValueOrDefault(scope) + 1;
            bool busy = false;
            if (groupId != null)
            {
                var key = scope + "/" + groupId;
                int g = _groupsInFlight[key] = _groupsInFlight.GetValueOrDefault(key) + 1;
                busy = g > 1;
            }
            return new Flight(n, busy);
        }
    }

    public void Exit(string account, string region, string? groupId)
    {
        lock (_gate)
        {
            var scope = account + "/" + region;
            _inFlight[scope]--;
            if (groupId != null) _groupsInFlight[scope + "/" + groupId]--;
        }
    }

    public string Handle(string account, string region, Dictionary<string, string> p, string? accessKey = null, Flight flight = default)
    {
        var action = p.GetValueOrDefault("Action") ?? throw new Ec2Error(400, "MissingAction", "The request must contain the parameter Action.");
        lock (_gate)
        {
            _account = account;
            var call = new CallRecord
            {
                Action = action, Account = account, AccessKey = accessKey, Region = region, GroupId = p.GetValueOrDefault("GroupId"), Parameters = new(p),
                InFlight = flight.InFlight, GroupBusy = flight.GroupBusy,
            };
            _calls.Add(call);
            if (!TryTakeToken(account, region, action))
            {
                call.Throttled = true;
                throw new Ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.");
            }
            bool lose = InjectFault(action, region, p.GetValueOrDefault("GroupId"));
            var reply = Apply(action, PinnedRegion ?? region, p);
            if (lose)
            {
                call.ReplyLost = true;
                throw new LostReplyException();
            }
            return reply;
        }
    }

    private string Apply(string action, string region, Dictionary<string, string> p) =>
            action switch
            {
                "DescribeSecurityGroups" => DescribeSecurityGroups(region, p),
                "DescribeSecurityGroupRules" => DescribeSecurityGroupRules(region, p),
                "RevokeSecurityGroupIngress" => RevokeIngress(region, p),
                "AuthorizeSecurityGroupIngress" => AuthorizeIngress(region, p),
                "ModifySecurityGroupRules" => ModifyRules(region, p),
                "CreateTags" => CreateTags(region, p),
                "DescribeRegions" => DescribeRegions(),
                "DescribeNetworkInterfaces" => DescribeNetworkInterfaces(region, p),
                "DescribeRouteTables" => DescribeRouteTables(region, p),
                "DescribeManagedPrefixLists" => DescribeManagedPrefixLists(region, p),
                "GetManagedPrefixListEntries" => GetManagedPrefixListEntries(region, p),
                _ => throw new Ec2Error(400, "InvalidAction", $"The action {action} is not valid for this web service."),
            };

    private readonly Dictionary<FaultSpec, Random> _draws = new();

    /// <summary>Throws an injected error, or returns true when the call is to be applied and its reply lost.</summary>
    private bool InjectFault(string action, string region, string? groupId)
    {
        foreach (var fault in _faults.Where(f => f.Action == action && (f.Region == null || f.Region == region) && (f.GroupId == null || f.GroupId == groupId) && f.Times != 0))
        {
            if (fault.Probability < 1.0)
            {
                if (!_draws.TryGetValue(fault, out var random)) _draws[fault] = random = new Random(fault.Seed);
                if (random.NextDouble() >= fault.Probability) continue;
            }
            if (fault.Times > 0) fault.Times--;
            if (fault.LostReply) return true;
            throw new Ec2Error(fault.Status, fault.Code, fault.Message);
        }
        return false;
    }

    /// <summary>Edits a rule in place behind the caller's back, as ModifySecurityGroupRules does: same id, same tags.</summary>
    public void ModifyRule(ModifyRuleRequest m)
    {
        lock (_gate)
        {
            _account = DefaultAccount;
            var group = Groups(m.Region).FirstOrDefault(g => g.Rules.Any(r => r.RuleId == m.RuleId))
                ?? throw new Ec2Error(400, "InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{m.RuleId}' does not exist");
            var p = new Dictionary<string, string> { ["GroupId"] = group.GroupId, ["SecurityGroupRule.1.SecurityGroupRuleId"] = m.RuleId };
            var rule = group.Rules.First(r => r.RuleId == m.RuleId);
            const string pre = "SecurityGroupRule.1.SecurityGroupRule.";
            p[pre + "IpProtocol"] = m.IpProtocol ?? rule.IpProtocol;
            p[pre + "FromPort"] = (m.FromPort ?? rule.FromPort).ToString(CultureInfo.InvariantCulture);
            p[pre + "ToPort"] = (m.ToPort ?? rule.ToPort).ToString(CultureInfo.InvariantCulture);
            if ((m.CidrIpv4 ?? (m.CidrIpv6 == null ? rule.CidrIpv4 : null)) is { } v4) p[pre + "CidrIpv4"] = v4;
            if ((m.CidrIpv6 ?? (m.CidrIpv4 == null ? rule.CidrIpv6 : null)) is { } v6) p[pre + "CidrIpv6"] = v6;
            if ((m.Description ?? rule.Description) is { } d) p[pre + "Description"] = d;
            ModifyRules(m.Region, p);
        }
    }

    private List<GroupSpec> Groups(string region) =>
        _regions.TryGetValue(_account + "/" + region, out var g) ? g : _regions[_account + "/" + region] = new List<GroupSpec>();

    private RegionSpec Network(string region) => _network.TryGetValue(_account + "/" + region, out var n) ? n : new RegionSpec();

    private string DescribeNetworkInterfaces(string region, Dictionary<string, string> p)
    {
        IEnumerable<InterfaceSpec> items = Network(region).NetworkInterfaces.OrderBy(n => n.NetworkInterfaceId, StringComparer.Ordinal);
        foreach (var (name, values) in Filters(p))
            items = name switch
            {
                "group-id" => items.Where(n => n.Groups.Any(values.Contains)),
                "vpc-id" => items.Where(n => values.Contains(n.VpcId)),
                _ => throw new Ec2Error(400, "InvalidParameterValue", $"The filter '{name}' is invalid"),
            };
        var (page, next) = Paginate(items.ToList(), p, MaxResults(p));
        var sb = new StringBuilder("<networkInterfaceSet>");
        foreach (var n in page)
        {
            sb.Append("<item>");
            El(sb, "networkInterfaceId", n.NetworkInterfaceId);
            El(sb, "subnetId", n.SubnetId);
            El(sb, "vpcId", n.VpcId);
            El(sb, "description", n.Description);
            El(sb, "interfaceType", n.InterfaceType);
            El(sb, "requesterManaged", n.InterfaceType == "interface" ? "false" : "true");
            El(sb, "privateIpAddress", n.PrivateIp);
            if (n.InstanceId != null) { sb.Append("<attachment>"); El(sb, "instanceId", n.InstanceId); El(sb, "status", "attached"); sb.Append("</attachment>"); }
            if (n.PublicIp != null) { sb.Append("<association>"); El(sb, "publicIp", n.PublicIp); sb.Append("</association>"); }
            sb.Append("<groupSet>");
            foreach (var g in n.Groups) { sb.Append("<item>"); El(sb, "groupId", g); sb.Append("</item>"); }
            sb.Append("</groupSet><privateIpAddressesSet><item>");
            El(sb, "privateIpAddress", n.PrivateIp);
            El(sb, "primary", "true");
            if (n.PublicIp != null) { sb.Append("<association>"); El(sb, "publicIp", n.PublicIp); sb.Append("</association>"); }
            sb.Append("</item></privateIpAddressesSet><ipv6AddressesSet>");
            foreach (var a in n.Ipv6Addresses) { sb.Append("<item>"); El(sb, "ipv6Address", a); sb.Append("</item>"); }
            sb.Append("</ipv6AddressesSet></item>");
        }
        sb.Append("</networkInterfaceSet>");
        El(sb, "nextToken", next);
        return Envelope("DescribeNetworkInterfaces", sb);
    }

    private string DescribeRouteTables(string region, Dictionary<string, string> p)
    {
        IEnumerable<RouteTableSpec> items = Network(region).RouteTables.OrderBy(t => t.RouteTableId, StringComparer.Ordinal);
        foreach (var (name, values) in Filters(p))
            items = name switch
            {
                "vpc-id" => items.Where(t => values.Contains(t.VpcId)),
                "association.subnet-id" => items.Where(t => t.Subnets.Any(values.Contains)),
                _ => throw new Ec2Error(400, "InvalidParameterValue", $"The filter '{name}' is invalid"),
            };
        int? max = MaxResults(p, 5, 100);
        var (page, next) = Paginate(items.ToList(), p, max);
        var sb = new StringBuilder("<routeTableSet>");
        foreach (var t in page)
        {
            sb.Append("<item>");
            El(sb, "routeTableId", t.RouteTableId);
            El(sb, "vpcId", t.VpcId);
            sb.Append("<routeSet>");
            foreach (var (dest, gw) in t.Routes)
            {
                sb.Append("<item>");
                El(sb, dest.Contains(':') ? "destinationIpv6CidrBlock" : "destinationCidrBlock", dest);
                if (gw.StartsWith("eigw-", StringComparison.Ordinal)) El(sb, "egressOnlyInternetGatewayId", gw);
                else if (gw.StartsWith("nat-", StringComparison.Ordinal)) El(sb, "natGatewayId", gw);
                else El(sb, "gatewayId", gw);
                El(sb, "state", "active");
                sb.Append("</item>");
            }
            sb.Append("</routeSet><associationSet>");
            if (t.Main) { sb.Append("<item>"); El(sb, "routeTableAssociationId", "rtbassoc-main-" + t.RouteTableId); El(sb, "routeTableId", t.RouteTableId); El(sb, "main", "true"); sb.Append("</item>"); }
            foreach (var sn in t.Subnets) { sb.Append("<item>"); El(sb, "routeTableAssociationId", "rtbassoc-" + sn); El(sb, "routeTableId", t.RouteTableId); El(sb, "subnetId", sn); El(sb, "main", "false"); sb.Append("</item>"); }
            sb.Append("</associationSet></item>");
        }
        sb.Append("</routeTableSet>");
        El(sb, "nextToken", next);
        return Envelope("DescribeRouteTables", sb);
    }

    private string DescribeManagedPrefixLists(string region, Dictionary<string, string> p)
    {
        IEnumerable<PrefixListSpec> items = Network(region).PrefixLists.OrderBy(l => l.PrefixListId, StringComparer.Ordinal);
        var ids = List(p, "PrefixListId");
        if (ids.Count > 0)
        {
            var missing = ids.FirstOrDefault(id => !Network(region).PrefixLists.Any(l => l.PrefixListId == id));
            if (missing != null) throw new Ec2Error(400, "InvalidPrefixListID.NotFound", $"The prefix list ID '{missing}' does not exist");
            items = items.Where(l => ids.Contains(l.PrefixListId));
        }
        foreach (var (name, values) in Filters(p))
            items = name switch
            {
                "prefix-list-id" => items.Where(l => values.Contains(l.PrefixListId)),
                "prefix-list-name" => items.Where(l => values.Contains(l.PrefixListName)),
                "owner-id" => items.Where(l => values.Contains(l.OwnerId)),
                _ => throw new Ec2Error(400, "InvalidParameterValue", $"The filter '{name}' is invalid"),
            };
        int? max = MaxResults(p, 1, 100);
        var (page, next) = Paginate(items.ToList(), p, max);
        var sb = new StringBuilder("<prefixListSet>");
        foreach (var l in page)
        {
            sb.Append("<item>");
            El(sb, "prefixListId", l.PrefixListId);
            El(sb, "addressFamily", l.AddressFamily);
            El(sb, "state", "create-complete");
            El(sb, "prefixListArn", $"arn:aws:ec2:{region}:{(l.OwnerId == "AWS" ? "aws" : l.OwnerId)}:prefix-list/{l.PrefixListId}");
            El(sb, "prefixListName", l.PrefixListName);
            if (l.OwnerId != "AWS") El(sb, "maxEntries", l.MaxEntries.ToString(CultureInfo.InvariantCulture));
            El(sb, "version", "1");
            El(sb, "ownerId", l.OwnerId);
            sb.Append("</item>");
        }
        sb.Append("</prefixListSet>");
        El(sb, "nextToken", next);
        return Envelope("DescribeManagedPrefixLists", sb);
    }

    private string GetManagedPrefixListEntries(string region, Dictionary<string, string> p)
    {
        var id = p.GetValueOrDefault("PrefixListId") ?? throw new Ec2Error(400, "MissingParameter", "The request must contain the parameter PrefixListId");
        var list = Network(region).PrefixLists.FirstOrDefault(l => l.PrefixListId == id)
            ?? throw new Ec2Error(400, "InvalidPrefixListID.NotFound", $"The prefix list ID '{id}' does not exist");
        int? max = MaxResults(p, 1, 100);
        var (page, next) = Paginate(list.Entries, p, max);
        var sb = new StringBuilder("<entrySet>");
        foreach (var e in page) { sb.Append("<item>"); El(sb, "cidr", e); sb.Append("</item>"); }
        sb.Append("</entrySet>");
        El(sb, "nextToken", next);
        return Envelope("GetManagedPrefixListEntries", sb);
    }

    private string DescribeRegions()
    {
        var sb = new StringBuilder("<regionInfo>");
        foreach (var r in _world.EnabledRegions ?? StandardRegions.ToList())
        {
            sb.Append("<item>");
            El(sb, "regionName", r);
            El(sb, "regionEndpoint", $"ec2.{r}.amazonaws.com");
            El(sb, "optInStatus", "opt-in-not-required");
            sb.Append("</item>");
        }
        sb.Append("</regionInfo>");
        return Envelope("DescribeRegions", sb);
    }

    private string NewRuleId() => "sgr-" + (_nextRuleId++).ToString("x17", CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- describes

    private string DescribeSecurityGroups(string region, Dictionary<string, string> p)
    {
        var groupIds = List(p, "GroupId");
        int? max = MaxResults(p);
        if (max != null && groupIds.Count > 0)
            throw new Ec2Error(400, "InvalidParameterCombination", "The parameter groupIdSet cannot be used with the parameter maxResults");
        IEnumerable<GroupSpec> groups = Groups(region).OrderBy(g => g.GroupId, StringComparer.Ordinal);
        foreach (var id in groupIds)
            if (!Groups(region).Any(g => g.GroupId == id))
                throw new Ec2Error(400, "InvalidGroup.NotFound", $"The security group '{id}' does not exist");
        if (groupIds.Count > 0) groups = groups.Where(g => groupIds.Contains(g.GroupId));
        foreach (var (name, values) in Filters(p))
        {
            groups = name switch
            {
                "group-id" => groups.Where(g => values.Contains(g.GroupId)),
                "vpc-id" => groups.Where(g => g.VpcId != null && values.Contains(g.VpcId)),
                "group-name" => groups.Where(g => g.GroupName != null && values.Contains(g.GroupName)),
                _ when name.StartsWith("tag:", StringComparison.Ordinal) =>
                    groups.Where(g => g.Tags.TryGetValue(name[4..], out var v) && values.Contains(v)),
                _ => throw new Ec2Error(400, "InvalidParameterValue", $"The filter '{name}' is invalid"),
            };
        }
        var (page, next) = Paginate(groups.ToList(), p, max);
        var sb = new StringBuilder();
        sb.Append("<securityGroupInfo>");
        foreach (var g in page)
        {
            sb.Append("<item>");
            El(sb, "ownerId", g.OwnerId);
            El(sb, "groupId", g.GroupId);
            El(sb, "groupName", g.GroupName);
            El(sb, "groupDescription", g.Description ?? g.GroupName);
            El(sb, "vpcId", g.VpcId);
            El(sb, "securityGroupArn", $"arn:aws:ec2:{region}:{g.OwnerId}:security-group/{g.GroupId}");
            sb.Append("<ipPermissions>");
            AppendPermissions(sb, g.Rules.Where(r => !r.Egress));
            sb.Append("</ipPermissions><ipPermissionsEgress>");
            AppendPermissions(sb, g.Rules.Where(r => r.Egress));
            sb.Append("</ipPermissionsEgress>");
            AppendTags(sb, g.Tags);
            sb.Append("</item>");
        }
        sb.Append("</securityGroupInfo>");
        El(sb, "nextToken", next);
        return Envelope("DescribeSecurityGroups", sb);
    }

    /// <summary>DescribeSecurityGroups groups rules into permissions by protocol and ports; ports are left out for -1.</summary>
    private static void AppendPermissions(StringBuilder sb, IEnumerable<RuleSpec> rules)
    {
        foreach (var perm in rules.GroupBy(r => (r.IpProtocol, r.FromPort, r.ToPort)))
        {
            sb.Append("<item>");
            El(sb, "ipProtocol", perm.Key.IpProtocol);
            if (perm.Key.IpProtocol is "tcp" or "udp" or "icmp" or "icmpv6")
            {
                El(sb, "fromPort", perm.Key.FromPort.ToString(CultureInfo.InvariantCulture));
                El(sb, "toPort", perm.Key.ToPort.ToString(CultureInfo.InvariantCulture));
            }
            sb.Append("<groups>");
            foreach (var r in perm.Where(r => r.ReferencedGroupId != null))
            {
                sb.Append("<item>");
                El(sb, "groupId", r.ReferencedGroupId);
                El(sb, "userId", "123456789012");
                El(sb, "description", r.Description);
                sb.Append("</item>");
            }
            sb.Append("</groups><ipRanges>");
            foreach (var r in perm.Where(r => r.CidrIpv4 != null))
            {
                sb.Append("<item>");
                El(sb, "cidrIp", r.CidrIpv4);
                El(sb, "description", r.Description);
                sb.Append("</item>");
            }
            sb.Append("</ipRanges><ipv6Ranges>");
            foreach (var r in perm.Where(r => r.CidrIpv6 != null))
            {
                sb.Append("<item>");
                El(sb, "cidrIpv6", r.CidrIpv6);
                El(sb, "description", r.Description);
                sb.Append("</item>");
            }
            sb.Append("</ipv6Ranges><prefixListIds>");
            foreach (var r in perm.Where(r => r.PrefixListId != null))
            {
                sb.Append("<item>");
                El(sb, "prefixListId", r.PrefixListId);
                El(sb, "description", r.Description);
                sb.Append("</item>");
            }
            sb.Append("</prefixListIds></item>");
        }
    }

    private string DescribeSecurityGroupRules(string region, Dictionary<string, string> p)
    {
        int? max = MaxResults(p);
        var ruleIds = List(p, "SecurityGroupRuleId");
        var rows = Groups(region).OrderBy(g => g.GroupId, StringComparer.Ordinal)
            .SelectMany(g => g.Rules.Select(r => (Group: g, Rule: r)));
        if (ruleIds.Count > 0)
        {
            foreach (var id in ruleIds)
                if (!rows.Any(x => x.Rule.RuleId == id))
                    throw new Ec2Error(400, "InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{id}' does not exist");
            rows = rows.Where(x => ruleIds.Contains(x.Rule.RuleId!));
        }
        foreach (var (name, values) in Filters(p))
        {
            rows = name switch
            {
                "group-id" => rows.Where(x => values.Contains(x.Group.GroupId)),
                "security-group-rule-id" => rows.Where(x => values.Contains(x.Rule.RuleId!)),
                _ when name.StartsWith("tag:", StringComparison.Ordinal) =>
                    rows.Where(x => x.Rule.Tags.TryGetValue(name[4..], out var v) && values.Contains(v)),
                _ => throw new Ec2Error(400, "InvalidParameterValue", $"The filter '{name}' is invalid"),
            };
        }
        var (page, next) = Paginate(rows.ToList(), p, max);
        var sb = new StringBuilder("<securityGroupRuleSet>");
        foreach (var (g, r) in page) AppendRule(sb, region, g, r, "item");
        sb.Append("</securityGroupRuleSet>");
        El(sb, "nextToken", next);
        return Envelope("DescribeSecurityGroupRules", sb);
    }

    private static void AppendRule(StringBuilder sb, string region, GroupSpec g, RuleSpec r, string element)
    {
        sb.Append('<').Append(element).Append('>');
        El(sb, "securityGroupRuleId", r.RuleId);
        El(sb, "groupId", g.GroupId);
        El(sb, "groupOwnerId", g.OwnerId);
        El(sb, "isEgress", r.Egress ? "true" : "false");
        El(sb, "ipProtocol", r.IpProtocol);
        El(sb, "fromPort", r.FromPort.ToString(CultureInfo.InvariantCulture));
        El(sb, "toPort", r.ToPort.ToString(CultureInfo.InvariantCulture));
        El(sb, "cidrIpv4", r.CidrIpv4);
        El(sb, "cidrIpv6", r.CidrIpv6);
        El(sb, "prefixListId", r.PrefixListId);
        if (r.ReferencedGroupId != null)
        {
            sb.Append("<referencedGroupInfo>");
            El(sb, "groupId", r.ReferencedGroupId);
            El(sb, "userId", g.OwnerId);
            sb.Append("</referencedGroupInfo>");
        }
        El(sb, "description", r.Description);
        AppendTags(sb, r.Tags);
        El(sb, "securityGroupRuleArn", $"arn:aws:ec2:{region}:{g.OwnerId}:security-group-rule/{r.RuleId}");
        sb.Append("</").Append(element).Append('>');
    }

    // ---------------------------------------------------------------- mutations

    private GroupSpec FindGroup(string region, Dictionary<string, string> p)
    {
        var id = p.GetValueOrDefault("GroupId");
        if (string.IsNullOrEmpty(id)) throw new Ec2Error(400, "MissingParameter", "The request must contain the parameter groupId");
        return Groups(region).FirstOrDefault(g => g.GroupId == id)
            ?? throw new Ec2Error(400, "InvalidGroup.NotFound", $"The security group '{id}' does not exist");
    }

    private string RevokeIngress(string region, Dictionary<string, string> p)
    {
        var group = FindGroup(region, p);
        DryRun(p);
        var ruleIds = List(p, "SecurityGroupRuleId");
        var wanted = Permissions(p);
        if (ruleIds.Count > 0 && wanted.Count > 0)
            throw new Ec2Error(400, "InvalidParameterCombination", "You may specify either security group rule IDs or IP permissions, but not both.");
        if (ruleIds.Count == 0 && wanted.Count == 0)
            throw new Ec2Error(400, "MissingParameter", "No rules were specified to revoke.");

        var toRemove = new List<RuleSpec>();
        var unknown = new List<RuleSpec>();
        foreach (var id in ruleIds)
        {
            var rule = group.Rules.FirstOrDefault(r => r.RuleId == id && !r.Egress);
            if (rule == null)
            {
                if (!group.DefaultVpc)
                    throw Ec2Constraints.RevokeUnknownRule.Refuse($"The security group rule ID '{id}' does not exist");
                continue;
            }
            toRemove.Add(rule);
        }
        foreach (var w in wanted)
        {
            var rule = group.Rules.FirstOrDefault(r => !r.Egress && r.Key == w.Key);
            if (rule == null)
            {
                if (!group.DefaultVpc)
                    throw new Ec2Error(400, "InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
                unknown.Add(w);
                continue;
            }
            toRemove.Add(rule);
        }
        foreach (var r in toRemove) group.Rules.Remove(r);

        var sb = new StringBuilder("<return>true</return>");
        if (unknown.Count > 0)
        {
            sb.Append("<unknownIpPermissionSet>");
            AppendPermissions(sb, unknown);
            sb.Append("</unknownIpPermissionSet>");
        }
        sb.Append("<revokedSecurityGroupRuleSet>");
        foreach (var r in toRemove)
        {
            sb.Append("<item>");
            El(sb, "securityGroupRuleId", r.RuleId);
            El(sb, "groupId", group.GroupId);
            El(sb, "isEgress", "false");
            El(sb, "ipProtocol", r.IpProtocol);
            El(sb, "fromPort", r.FromPort.ToString(CultureInfo.InvariantCulture));
            El(sb, "toPort", r.ToPort.ToString(CultureInfo.InvariantCulture));
            El(sb, "cidrIpv4", r.CidrIpv4);
            El(sb, "cidrIpv6", r.CidrIpv6);
            El(sb, "prefixListId", r.PrefixListId);
            El(sb, "referencedGroupId", r.ReferencedGroupId);
            El(sb, "description", r.Description);
            sb.Append("</item>");
        }
        sb.Append("</revokedSecurityGroupRuleSet>");
        return Envelope("RevokeSecurityGroupIngress", sb);
    }

    private string AuthorizeIngress(string region, Dictionary<string, string> p)
    {
        var group = FindGroup(region, p);
        DryRun(p);
        var wanted = Permissions(p);
        if (wanted.Count == 0) throw new Ec2Error(400, "MissingParameter", "No rules were specified to authorize.");
        // All or nothing: a duplicate anywhere fails the call and adds nothing.
        foreach (var w in wanted)
        {
            if (group.Rules.Any(r => !r.Egress && r.Key == w.Key))
            {
                var source = w.CidrIpv4 ?? w.CidrIpv6 ?? w.ReferencedGroupId ?? w.PrefixListId;
                throw Ec2Constraints.CanonicalCidr.Refuse(
                    $"the specified rule \"peer: {source}, {w.IpProtocol.ToUpperInvariant()}, from port: {w.FromPort}, to port: {w.ToPort}, ALLOW\" already exists");
            }
            if (wanted.Count(x => x.Key == w.Key) > 1)
                throw new Ec2Error(400, "InvalidPermission.Duplicate", "The same rule is listed twice.");
        }
        CheckQuota(region, group.Rules.Concat(wanted));
        var tags = TagSpecifications(p);
        CheckTags(tags);
        var sb = new StringBuilder("<return>true</return><securityGroupRuleSet>");
        foreach (var w in wanted)
        {
            w.RuleId = NewRuleId();
            w.Tags = new Dictionary<string, string>(tags);
            group.Rules.Add(w);
            AppendRule(sb, region, group, w, "item");
        }
        sb.Append("</securityGroupRuleSet>");
        return Envelope("AuthorizeSecurityGroupIngress", sb);
    }

    private static string Kind(RuleSpec r) => r.CidrIpv4 != null ? "CidrIpv4" : r.CidrIpv6 != null ? "CidrIpv6" : r.PrefixListId != null ? "PrefixListId" : "ReferencedGroupId";

    private string ModifyRules(string region, Dictionary<string, string> p)
    {
        var group = FindGroup(region, p);
        DryRun(p);
        var edits = new List<(RuleSpec Old, RuleSpec New)>();
        for (int i = 1; p.ContainsKey($"SecurityGroupRule.{i}.SecurityGroupRuleId"); i++)
        {
            var id = p[$"SecurityGroupRule.{i}.SecurityGroupRuleId"];
            var rule = group.Rules.FirstOrDefault(r => r.RuleId == id)
                ?? throw new Ec2Error(400, "InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{id}' does not exist");
            string pre = $"SecurityGroupRule.{i}.SecurityGroupRule.";
            var updated = rule.Clone();
            updated.IpProtocol = NormalizeProtocol(p.GetValueOrDefault(pre + "IpProtocol") ?? rule.IpProtocol);
            updated.FromPort = Int(p.GetValueOrDefault(pre + "FromPort")) ?? -1;
            updated.ToPort = Int(p.GetValueOrDefault(pre + "ToPort")) ?? -1;
            updated.CidrIpv4 = p.GetValueOrDefault(pre + "CidrIpv4") is { } m4 ? Canonical(m4) : null;
            updated.CidrIpv6 = p.GetValueOrDefault(pre + "CidrIpv6") is { } m6 ? Canonical(m6) : null;
            updated.PrefixListId = p.GetValueOrDefault(pre + "PrefixListId");
            updated.ReferencedGroupId = p.GetValueOrDefault(pre + "ReferencedGroupId");
            // The whole rule is replaced: an omitted description leaves none.
            updated.Description = CheckedDescription(p.GetValueOrDefault(pre + "Description"));
            if (updated.CidrIpv4 == null && updated.CidrIpv6 == null && updated.PrefixListId == null && updated.ReferencedGroupId == null)
                throw new Ec2Error(400, "MissingParameter", "A rule needs a source: CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupId.");
            if (Kind(rule) != Kind(updated))
                throw Ec2Constraints.RuleTypeUnchanged.Refuse($"You cannot change the type of security group rule {id} from {Kind(rule)} to {Kind(updated)}.");
            if (group.Rules.Any(r => r != rule && r.Key == updated.Key))
                throw Ec2Constraints.CanonicalCidr.Refuse("the specified rule already exists");
            edits.Add((rule, updated));
        }
        // Atomic: checked whole (the quota too, a prefix list of another size counts anew), then applied.
        CheckQuota(region, group.Rules.Select(r => edits.FirstOrDefault(e => e.Old == r).New ?? r));
        foreach (var (old, updated) in edits) group.Rules[group.Rules.IndexOf(old)] = updated;
        return Envelope("ModifySecurityGroupRules", new StringBuilder("<return>true</return>"));
    }

    private const string DescriptionPunctuation = "._-:/()#,@[]+=&;{}!$*";

    /// <summary>EC2 holds at most 255 characters of description, of its own set; an empty one is none.</summary>
    private static string? CheckedDescription(string? d)
    {
        if (string.IsNullOrEmpty(d)) return null;
        if (d.Length > 255) throw Ec2Constraints.DescriptionLength.Refuse($"Invalid rule description. The description can be at most 255 characters long: {d.Length} given.");
        foreach (var c in d)
            if (!(char.IsAsciiLetterOrDigit(c) || c == ' ' || DescriptionPunctuation.Contains(c)))
                throw Ec2Constraints.DescriptionCharacters.Refuse($"Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{{}}!$*");
        return d;
    }

    /// <summary>Tags as EC2 takes them on a resource that holds <paramref name="existing"/>: 50 at most, keys up to 128 and values up to 256 characters.</summary>
    private static void CheckTags(Dictionary<string, string> tags, Dictionary<string, string>? existing = null)
    {
        foreach (var (k, v) in tags)
        {
            if (k.Length > 128) throw Ec2Constraints.TagKeyLength.Refuse($"Tag key exceeds the maximum length of 128 characters: {k}");
            if (v.Length > 256) throw Ec2Constraints.TagValueLength.Refuse($"Tag value exceeds the maximum length of 256 characters: {v.Length} given");
        }
        int count = tags.Count + (existing?.Keys.Count(k => !tags.ContainsKey(k)) ?? 0);
        if (count > 50) throw Ec2Constraints.TagsPerResource.Refuse($"The maximum number of tags per resource (50) has been reached: {count} requested.");
    }

    /// <summary>A CIDR as EC2 stores it: its network address (100.68.0.18/18 is 100.68.0.0/18).</summary>
    private static string Canonical(string cidr)
    {
        var parts = cidr.Split('/');
        if (parts.Length != 2 || !System.Net.IPAddress.TryParse(parts[0], out var address) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int prefix))
            throw new Ec2Error(400, "InvalidParameterValue", $"Value ({cidr}) for parameter cidrIp is invalid. This is not a valid CIDR block.");
        var bytes = address.GetAddressBytes();
        if (prefix > bytes.Length * 8) throw new Ec2Error(400, "InvalidParameterValue", $"Value ({cidr}) for parameter cidrIp is invalid. This is not a valid CIDR block.");
        for (int bit = prefix; bit < bytes.Length * 8; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        return new System.Net.IPAddress(bytes) + "/" + prefix.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A group's inbound rules as EC2 counts them against its quota, per family: a group reference or an AWS-managed
    /// prefix list in both, a customer-managed prefix list as its MaxEntries in its own family.
    /// </summary>
    private (int V4, int V6) Weight(string region, RuleSpec r)
    {
        if (r.CidrIpv4 != null) return (1, 0);
        if (r.CidrIpv6 != null) return (0, 1);
        if (r.PrefixListId != null && Network(region).PrefixLists.FirstOrDefault(l => l.PrefixListId == r.PrefixListId) is { } list && list.OwnerId != "AWS")
            return list.AddressFamily == "IPv6" ? (0, list.MaxEntries) : (list.MaxEntries, 0);
        return (1, 1);
    }

    private void CheckQuota(string region, IEnumerable<RuleSpec> inbound)
    {
        int v4 = 0, v6 = 0;
        foreach (var r in inbound.Where(r => !r.Egress))
        {
            var (a, b) = Weight(region, r);
            v4 += a;
            v6 += b;
        }
        if (v4 > RulesPerGroupLimit || v6 > RulesPerGroupLimit)
            throw Ec2Constraints.RulesPerGroupPerFamily.Refuse("The maximum number of rules per security group has been reached.");
    }

    /// <summary>CreateTags on security group rules: adds tags, overwrites the value of a key that is there.</summary>
    private string CreateTags(string region, Dictionary<string, string> p)
    {
        DryRun(p);
        var ids = List(p, "ResourceId");
        if (ids.Count == 0) throw new Ec2Error(400, "MissingParameter", "The request must contain the parameter resourceIdSet");
        if (ids.Count > 1000) throw Ec2Constraints.CreateTagsResourceIds.Refuse("At most 1000 resource ids may be tagged in one call.");
        var tags = new Dictionary<string, string>();
        for (int i = 1; p.TryGetValue($"Tag.{i}.Key", out var key); i++) tags[key] = p.GetValueOrDefault($"Tag.{i}.Value") ?? "";
        var rules = new List<RuleSpec>();
        foreach (var id in ids)
            rules.Add(Groups(region).SelectMany(g => g.Rules).FirstOrDefault(r => r.RuleId == id)
                ?? throw new Ec2Error(400, "InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{id}' does not exist"));
        foreach (var r in rules) CheckTags(tags, r.Tags);
        foreach (var r in rules)
            foreach (var (k, v) in tags) r.Tags[k] = v;
        return Envelope("CreateTags", new StringBuilder("<return>true</return>"));
    }

    private static void DryRun(Dictionary<string, string> p)
    {
        if (string.Equals(p.GetValueOrDefault("DryRun"), "true", StringComparison.OrdinalIgnoreCase))
            throw new Ec2Error(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
    }

    /// <summary>IpPermissions.N.* into one rule per source, as EC2 stores them.</summary>
    private static List<RuleSpec> Permissions(Dictionary<string, string> p)
    {
        var rules = new List<RuleSpec>();
        for (int i = 1; p.ContainsKey($"IpPermissions.{i}.IpProtocol"); i++)
        {
            string pre = $"IpPermissions.{i}.";
            var proto = NormalizeProtocol(p[pre + "IpProtocol"]);
            bool ported = proto is "tcp" or "udp" or "icmp" or "icmpv6";
            int from = ported ? Int(p.GetValueOrDefault(pre + "FromPort")) ?? throw new Ec2Error(400, "InvalidParameterValue", "FromPort is required for " + proto) : -1;
            int to = ported ? Int(p.GetValueOrDefault(pre + "ToPort")) ?? throw new Ec2Error(400, "InvalidParameterValue", "ToPort is required for " + proto) : -1;
            if (proto is "tcp" or "udp" && (from < 0 || to > 65535 || from > to))
                throw new Ec2Error(400, "InvalidParameterValue", $"Invalid port range {from}-{to}");
            RuleSpec New(string? description) => new() { IpProtocol = proto, FromPort = from, ToPort = to, Description = CheckedDescription(description) };
            for (int j = 1; p.ContainsKey($"{pre}IpRanges.{j}.CidrIp"); j++)
            {
                var r = New(p.GetValueOrDefault($"{pre}IpRanges.{j}.Description"));
                r.CidrIpv4 = Canonical(p[$"{pre}IpRanges.{j}.CidrIp"]);
                rules.Add(r);
            }
            for (int j = 1; p.ContainsKey($"{pre}Ipv6Ranges.{j}.CidrIpv6"); j++)
            {
                var r = New(p.GetValueOrDefault($"{pre}Ipv6Ranges.{j}.Description"));
                r.CidrIpv6 = Canonical(p[$"{pre}Ipv6Ranges.{j}.CidrIpv6"]);
                rules.Add(r);
            }
            for (int j = 1; p.ContainsKey($"{pre}Groups.{j}.GroupId"); j++)
            {
                var r = New(p.GetValueOrDefault($"{pre}Groups.{j}.Description"));
                r.ReferencedGroupId = p[$"{pre}Groups.{j}.GroupId"];
                rules.Add(r);
            }
            for (int j = 1; p.ContainsKey($"{pre}PrefixListIds.{j}.PrefixListId"); j++)
            {
                var r = New(p.GetValueOrDefault($"{pre}PrefixListIds.{j}.Description"));
                r.PrefixListId = p[$"{pre}PrefixListIds.{j}.PrefixListId"];
                rules.Add(r);
            }
        }
        return rules;
    }

    private static Dictionary<string, string> TagSpecifications(Dictionary<string, string> p)
    {
        var tags = new Dictionary<string, string>();
        for (int i = 1; p.ContainsKey($"TagSpecification.{i}.ResourceType"); i++)
            for (int j = 1; p.ContainsKey($"TagSpecification.{i}.Tag.{j}.Key"); j++)
                tags[p[$"TagSpecification.{i}.Tag.{j}.Key"]] = p.GetValueOrDefault($"TagSpecification.{i}.Tag.{j}.Value") ?? "";
        return tags;
    }

    private static string NormalizeProtocol(string proto) => proto.ToLowerInvariant() switch
    {
        "6" => "tcp",
        "17" => "udp",
        "1" => "icmp",
        "58" => "icmpv6",
        "all" => "-1",
        var other => other,
    };

    // ---------------------------------------------------------------- plumbing

    /// <summary>MaxResults, checked against the action's own range (5-1000 for most describes).</summary>
    private static int? MaxResults(Dictionary<string, string> p, int least = 5, int most = 1000)
    {
        if (!p.TryGetValue("MaxResults", out var s)) return null;
        int n = Int(s) ?? throw new Ec2Error(400, "InvalidParameterValue", "MaxResults must be a number");
        if (n < least || n > most)
            throw Ec2Constraints.MaxResultsRange.Refuse($"Value ( {n} ) for parameter maxResults is invalid. Expecting a value between {least} and {most}.");
        return n;
    }

    /// <summary>Pages with an opaque token; without MaxResults everything comes back in one response.</summary>
    private static (List<T> Page, string? Next) Paginate<T>(List<T> all, Dictionary<string, string> p, int? max)
    {
        int start = 0;
        if (p.TryGetValue("NextToken", out var token) && token.Length > 0)
        {
            try { start = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token))[5..], CultureInfo.InvariantCulture); }
            catch (Exception) { throw new Ec2Error(400, "InvalidNextToken", "The token is not valid."); }
        }
        if (max == null) return (all.Skip(start).ToList(), null);
        var page = all.Skip(start).Take(max.Value).ToList();
        int end = start + page.Count;
        return (page, end < all.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes("page:" + end)) : null);
    }

    private static List<string> List(Dictionary<string, string> p, string prefix)
    {
        var values = new List<string>();
        for (int i = 1; p.TryGetValue($"{prefix}.{i}", out var v); i++) values.Add(v);
        return values;
    }

    private static List<(string Name, HashSet<string> Values)> Filters(Dictionary<string, string> p)
    {
        var filters = new List<(string, HashSet<string>)>();
        for (int i = 1; p.TryGetValue($"Filter.{i}.Name", out var name); i++)
        {
            var values = List(p, $"Filter.{i}.Value").ToHashSet(StringComparer.Ordinal);
            if (values.Count > 200) throw Ec2Constraints.FilterValues.Refuse("The maximum number of filter values specified on a single call is 200");
            filters.Add((name, values));
        }
        return filters;
    }

    private static int? Int(string? s) => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n : null;

    private static void El(StringBuilder sb, string name, string? value)
    {
        if (value == null) return;
        sb.Append('<').Append(name).Append('>').Append(SecurityElement.Escape(value)).Append("</").Append(name).Append('>');
    }

    private static void AppendTags(StringBuilder sb, Dictionary<string, string> tags)
    {
        sb.Append("<tagSet>");
        foreach (var (k, v) in tags)
        {
            sb.Append("<item>");
            El(sb, "key", k);
            El(sb, "value", v);
            sb.Append("</item>");
        }
        sb.Append("</tagSet>");
    }

    private static string Envelope(string action, StringBuilder body) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"{Ns}\"><requestId>{Guid.NewGuid()}</requestId>{body}</{action}Response>";

    public static string ErrorXml(Ec2Error e) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + SecurityElement.Escape(e.Code) +
        "</Code><Message>" + SecurityElement.Escape(e.Message) + "</Message></Error></Errors><RequestID>" + Guid.NewGuid() + "</RequestID></Response>";
}
