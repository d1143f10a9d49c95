using System.Threading.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using SgNarrower.AwsApi;
using SgNarrower.Rules;

namespace SgNarrower.AwsSdk
{
    /// <summary>EC2 through the SDK, translated to and from our own types.</summary>
    internal sealed class Ec2Api : IEc2Api, IDisposable
    {
        private readonly AmazonEC2Client _client;
        private readonly CallPolicy _policy;
        private readonly Func<string?> _account;

        /// <param name="account">The account this client works in, where the session knows it already (else null).</param>
        public Ec2Api(string region, AWSCredentials credentials, AmazonEC2Config config, CallPolicy policy, Func<string?> account)
        {
            Region = region;
            _client = new AmazonEC2Client(credentials, config);
            _policy = policy;
            _account = account;
        }

        public string Region { get; }

        public Page<SecurityGroupSnapshot> DescribeSecurityGroups(GroupQuery query, string? nextToken)
        {
            // GroupIds cannot be combined with MaxResults, so groups are scoped with the group-id filter, which pages.
            var request = new DescribeSecurityGroupsRequest { MaxResults = query.PageSize, NextToken = nextToken, Filters = new List<Filter>() };
            if (query.GroupIds.Count > 0) request.Filters.Add(new Filter("group-id", query.GroupIds.ToList()));
            if (query.VpcIds.Count > 0) request.Filters.Add(new Filter("vpc-id", query.VpcIds.ToList()));
            var response = Call("DescribeSecurityGroups", () => _client.DescribeSecurityGroupsAsync(request));
            var answer = (response.SecurityGroups ?? new List<SecurityGroup>()).Where(g => g != null).ToList();
            foreach (var g in answer) CheckScope("DescribeSecurityGroups", "group " + g.GroupId, g.SecurityGroupArn, g.OwnerId);
            var groups = answer.Select(ToSnapshot).ToList();
            return new Page<SecurityGroupSnapshot>(groups, response.NextToken);
        }

        public Page<SecurityGroupRuleInfo> DescribeSecurityGroupRules(IReadOnlyList<string> groupIds, int pageSize, string? nextToken)
        {
            var request = new DescribeSecurityGroupRulesRequest
            {
                MaxResults = pageSize,
                NextToken = nextToken,
                Filters = new List<Filter> { new Filter("group-id", groupIds.ToList()) },
            };
            var response = Call("DescribeSecurityGroupRules", () => _client.DescribeSecurityGroupRulesAsync(request));
            var answer = (response.SecurityGroupRules ?? new List<SecurityGroupRule>()).Where(r => r != null).ToList();
            foreach (var r in answer) CheckScope("DescribeSecurityGroupRules", "rule " + r.SecurityGroupRuleId, r.SecurityGroupRuleArn, r.GroupOwnerId);
            var rules = answer.Select(ToRuleInfo).ToList();
            return new Page<SecurityGroupRuleInfo>(rules, response.NextToken);
        }

        public IReadOnlyList<string> RevokeIngress(string groupId, IReadOnlyList<string> ruleIds)
        {
            var request = new RevokeSecurityGroupIngressRequest { GroupId = groupId, SecurityGroupRuleIds = ruleIds.ToList() };
            var response = Call("RevokeSecurityGroupIngress", () => _client.RevokeSecurityGroupIngressAsync(request));
            // EC2 lists what it removed. A revoke by rule ids is all or nothing: a reply that says true and leaves
            // nothing unknown removed every rule asked for, listed or not. Anything else proves nothing: the caller verifies.
            var listed = (response.RevokedSecurityGroupRules ?? new List<RevokedSecurityGroupRule>())
                .Where(r => r?.SecurityGroupRuleId != null).Select(r => r.SecurityGroupRuleId).ToList();
            bool unknown = (response.UnknownIpPermissions ?? new List<IpPermission>()).Any(p => p != null);
            return listed.Count == 0 && response.Return == true && !unknown ? ruleIds.ToList() : listed;
        }

        public IReadOnlyList<SecurityGroupRuleInfo> AuthorizeIngress(string groupId, IReadOnlyList<RuleGrant> grants, IReadOnlyDictionary<string, string>? tags)
        {
            var request = new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = grants.Select(ToPermission).ToList() };
            if (tags != null && tags.Count > 0)
                request.TagSpecifications = new List<TagSpecification>
                {
                    new TagSpecification { ResourceType = ResourceType.SecurityGroupRule, Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList() },
                };
            var response = Call("AuthorizeSecurityGroupIngress", () => _client.AuthorizeSecurityGroupIngressAsync(request));
            return (response.SecurityGroupRules ?? new List<SecurityGroupRule>()).Where(r => r != null).Select(ToRuleInfo).ToList();
        }

        public void ModifyIngress(string groupId, IReadOnlyList<KeyValuePair<string, RuleGrant>> changes)
        {
            var request = new ModifySecurityGroupRulesRequest
            {
                GroupId = groupId,
                SecurityGroupRules = changes.Select(c => new SecurityGroupRuleUpdate { SecurityGroupRuleId = c.Key, SecurityGroupRule = ToRuleRequest(c.Value) }).ToList(),
            };
            Call("ModifySecurityGroupRules", () => _client.ModifySecurityGroupRulesAsync(request));
        }

        private static SecurityGroupRuleRequest ToRuleRequest(RuleGrant grant)
        {
            var r = grant.Identity;
            var request = new SecurityGroupRuleRequest { IpProtocol = r.Protocol, FromPort = r.FromPort, ToPort = r.ToPort, Description = grant.Description ?? "" };
            // The description is always sent, an empty one included: the reference does not say whether an omitted
            // one is kept or cleared, and an edit must leave the rule exactly as meant (a restore as recorded).
            switch (r.Source.Kind)
            {
                case SourceKind.Ipv4Cidr: request.CidrIpv4 = r.Source.Value; break;
                case SourceKind.Ipv6Cidr: request.CidrIpv6 = r.Source.Value; break;
                case SourceKind.SecurityGroup: request.ReferencedGroupId = r.Source.Value; break;
                case SourceKind.PrefixList: request.PrefixListId = r.Source.Value; break;
            }
            return request;
        }

        public void TagRules(IReadOnlyList<string> ruleIds, IReadOnlyDictionary<string, string> tags)
        {
            var request = new CreateTagsRequest { Resources = ruleIds.ToList(), Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList() };
            Call("CreateTags", () => _client.CreateTagsAsync(request));
        }

        /// <summary>One permission with one source. Ports are left out where the protocol has none (all traffic, numbers).</summary>
        internal static IpPermission ToPermission(RuleGrant grant)
        {
            var r = grant.Identity;
            var p = new IpPermission { IpProtocol = r.Protocol };
            var kind = r.Kind;
            if (kind != ProtocolKind.All && kind != ProtocolKind.Other)
            {
                p.FromPort = r.FromPort;
                p.ToPort = r.ToPort;
            }
            var s = r.Source;
            switch (s.Kind)
            {
                case SourceKind.Ipv4Cidr: p.Ipv4Ranges = new List<IpRange> { new IpRange { CidrIp = s.Value, Description = grant.Description } }; break;
                case SourceKind.Ipv6Cidr: p.Ipv6Ranges = new List<Ipv6Range> { new Ipv6Range { CidrIpv6 = s.Value, Description = grant.Description } }; break;
                case SourceKind.SecurityGroup: p.UserIdGroupPairs = new List<UserIdGroupPair> { new UserIdGroupPair { GroupId = s.Value, Description = grant.Description } }; break;
                case SourceKind.PrefixList: p.PrefixListIds = new List<PrefixListId> { new PrefixListId { Id = s.Value, Description = grant.Description } }; break;
            }
            return p;
        }

        public void Dispose() => _client.Dispose();

        /// <summary>
        /// AWS's own answer says where a group or rule lives: its ARN (arn:&lt;partition&gt;:ec2:&lt;region&gt;:&lt;account&gt;:...)
        /// and its owner. An answer from another region or account than this client's is never acted on: an endpoint
        /// that served it read another scope's state (a request signed for the wrong region, a misrouted proxy).
        /// </summary>
        private void CheckScope(string action, string what, string? arn, string? ownerId)
        {
            var account = _account();
            if (!string.IsNullOrEmpty(arn))
            {
                var parts = arn!.Split(':');
                if (parts.Length < 6 || parts[0] != "arn" || parts[2] != "ec2")
                    throw WrongScope(action, what, $"an ARN that is not EC2's ({arn})");
                if (!string.Equals(parts[3], Region, StringComparison.Ordinal))
                    throw WrongScope(action, what, $"region {parts[3]} ({arn})");
                if (account != null && !string.Equals(parts[4], account, StringComparison.Ordinal))
                    throw WrongScope(action, what, $"account {parts[4]} ({arn})");
                if (!string.IsNullOrEmpty(ownerId) && !string.Equals(parts[4], ownerId, StringComparison.Ordinal))
                    throw WrongScope(action, what, $"account {parts[4]} in its ARN but owner {ownerId}");
            }
            if (account != null && !string.IsNullOrEmpty(ownerId) && !string.Equals(ownerId, account, StringComparison.Ordinal))
                throw WrongScope(action, what, $"account {ownerId}");
        }

        private AwsServiceException WrongScope(string action, string what, string found)
        {
            var account = _account();
            var meant = account == null ? $"region {Region}" : $"account {account}, region {Region}";
            return new AwsServiceException("ec2", action, "WrongScope",
                $"EC2 answered for another scope than the one asked: {meant} was asked, and {what} is from {found}. Nothing is changed in {meant}. Check the endpoint (-EndpointUrl, AWS_ENDPOINT_URL, a profile's endpoint_url) and that it routes each region and account apart.", 0);
        }

        private T Call<T>(string action, Func<Task<T>> call) => _policy.Run("ec2", action, call);

        public Page<NetworkInterfaceInfo> DescribeNetworkInterfaces(IReadOnlyList<string> groupIds, string? nextToken)
        {
            var request = new DescribeNetworkInterfacesRequest { MaxResults = 1000, NextToken = nextToken, Filters = new List<Filter> { new Filter("group-id", groupIds.ToList()) } };
            var response = Call("DescribeNetworkInterfaces", () => _client.DescribeNetworkInterfacesAsync(request));
            var answer = (response.NetworkInterfaces ?? new List<NetworkInterface>()).Where(n => n != null).ToList();
            foreach (var n in answer)
            {
                CheckScope("DescribeNetworkInterfaces", "interface " + n.NetworkInterfaceId, null, n.OwnerId);
                // A zone's name starts with its region's (us-east-1a); zone ids (use1-az1) do not, and are not checked.
                if (!string.IsNullOrEmpty(n.AvailabilityZone) && !n.AvailabilityZone.StartsWith(Region, StringComparison.Ordinal))
                    throw WrongScope("DescribeNetworkInterfaces", "interface " + n.NetworkInterfaceId, $"zone {n.AvailabilityZone}");
            }
            var items = answer.Select(n => new NetworkInterfaceInfo
            {
                NetworkInterfaceId = n.NetworkInterfaceId ?? "",
                VpcId = n.VpcId,
                SubnetId = n.SubnetId,
                InterfaceType = n.InterfaceType?.Value,
                Description = n.Description,
                InstanceId = n.Attachment?.InstanceId,
                GroupIds = (n.Groups ?? new List<GroupIdentifier>()).Where(g => g?.GroupId != null).Select(g => g.GroupId).ToList(),
                PrivateIpAddresses = (n.PrivateIpAddresses ?? new List<NetworkInterfacePrivateIpAddress>()).Where(a => a?.PrivateIpAddress != null).Select(a => a.PrivateIpAddress).ToList(),
                PublicIpAddresses = (n.PrivateIpAddresses ?? new List<NetworkInterfacePrivateIpAddress>()).Select(a => a?.Association?.PublicIp)
                    .Concat(new[] { n.Association?.PublicIp }).Where(ip => !string.IsNullOrEmpty(ip)).Select(ip => ip!).Distinct().ToList(),
                Ipv6Addresses = (n.Ipv6Addresses ?? new List<NetworkInterfaceIpv6Address>()).Where(a => a?.Ipv6Address != null).Select(a => a.Ipv6Address).ToList(),
            }).ToList();
            return new Page<NetworkInterfaceInfo>(items, response.NextToken);
        }

        public Page<RouteTableInfo> DescribeRouteTables(IReadOnlyList<string> vpcIds, string? nextToken)
        {
            var request = new DescribeRouteTablesRequest { MaxResults = 100, NextToken = nextToken, Filters = new List<Filter> { new Filter("vpc-id", vpcIds.ToList()) } };
            var response = Call("DescribeRouteTables", () => _client.DescribeRouteTablesAsync(request));
            var items = (response.RouteTables ?? new List<RouteTable>()).Where(t => t != null).Select(t =>
            {
                var routes = t.Routes ?? new List<Route>();
                bool ToIgw(Route r) => r.GatewayId != null && r.GatewayId.StartsWith("igw-", StringComparison.Ordinal);
                return new RouteTableInfo
                {
                    RouteTableId = t.RouteTableId ?? "",
                    VpcId = t.VpcId,
                    Main = (t.Associations ?? new List<RouteTableAssociation>()).Any(a => a?.Main == true),
                    SubnetIds = (t.Associations ?? new List<RouteTableAssociation>()).Where(a => a?.SubnetId != null).Select(a => a.SubnetId).ToList(),
                    Ipv4ToInternet = routes.Any(r => r != null && r.DestinationCidrBlock == "0.0.0.0/0" && ToIgw(r)),
                    Ipv6ToInternet = routes.Any(r => r != null && r.DestinationIpv6CidrBlock == "::/0" && ToIgw(r)),
                };
            }).ToList();
            return new Page<RouteTableInfo>(items, response.NextToken);
        }

        public IReadOnlyList<PrefixListInfo> DescribeManagedPrefixLists(IReadOnlyList<string> prefixListIds)
        {
            var result = new List<PrefixListInfo>();
            string? token = null;
            do
            {
                var request = new DescribeManagedPrefixListsRequest { MaxResults = 100, NextToken = token, Filters = new List<Filter> { new Filter("prefix-list-id", prefixListIds.ToList()) } };
                var response = Call("DescribeManagedPrefixLists", () => _client.DescribeManagedPrefixListsAsync(request));
                result.AddRange((response.PrefixLists ?? new List<ManagedPrefixList>()).Where(p => p?.PrefixListId != null)
                    .Select(p => new PrefixListInfo { PrefixListId = p.PrefixListId, Name = p.PrefixListName, OwnerId = p.OwnerId, AddressFamily = p.AddressFamily, MaxEntries = p.MaxEntries }));
                token = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
            } while (token != null);
            return result;
        }

        public Page<string> GetManagedPrefixListEntries(string prefixListId, string? nextToken)
        {
            var request = new GetManagedPrefixListEntriesRequest { PrefixListId = prefixListId, MaxResults = 100, NextToken = nextToken };
            var response = Call("GetManagedPrefixListEntries", () => _client.GetManagedPrefixListEntriesAsync(request));
            return new Page<string>((response.Entries ?? new List<PrefixListEntry>()).Where(e => e?.Cidr != null).Select(e => e.Cidr).ToList(), response.NextToken);
        }

        public IReadOnlyList<string> DescribeRegions()
        {
            var response = Call("DescribeRegions", () => _client.DescribeRegionsAsync(new DescribeRegionsRequest()));
            return (response.Regions ?? new List<Amazon.EC2.Model.Region>()).Where(r => r?.RegionName != null).Select(r => r.RegionName).ToList();
        }

        internal static SecurityGroupSnapshot ToSnapshot(SecurityGroup g) => new SecurityGroupSnapshot
        {
            GroupId = g.GroupId ?? "",
            GroupName = g.GroupName,
            OwnerId = g.OwnerId,
            VpcId = g.VpcId,
            Description = g.Description,
            Tags = ToTags(g.Tags),
            IpPermissions = (g.IpPermissions ?? new List<IpPermission>()).Where(p => p != null).Select(p => new IpPermissionSnapshot
            {
                IpProtocol = p.IpProtocol ?? "-1",
                FromPort = p.FromPort,
                ToPort = p.ToPort,
                Ipv4Ranges = (p.Ipv4Ranges ?? new List<IpRange>()).Where(r => r?.CidrIp != null).Select(r => new CidrSource(r.CidrIp, r.Description)).ToList(),
                Ipv6Ranges = (p.Ipv6Ranges ?? new List<Ipv6Range>()).Where(r => r?.CidrIpv6 != null).Select(r => new CidrSource(r.CidrIpv6, r.Description)).ToList(),
                ReferencedGroupIds = (p.UserIdGroupPairs ?? new List<UserIdGroupPair>()).Where(u => u?.GroupId != null).Select(u => u.GroupId).ToList(),
                PrefixListIds = (p.PrefixListIds ?? new List<PrefixListId>()).Where(x => x?.Id != null).Select(x => x.Id).ToList(),
            }).ToList(),
        };

        internal static SecurityGroupRuleInfo ToRuleInfo(SecurityGroupRule r) => new SecurityGroupRuleInfo
        {
            SecurityGroupRuleId = r.SecurityGroupRuleId ?? "",
            GroupId = r.GroupId ?? "",
            GroupOwnerId = r.GroupOwnerId,
            IsEgress = r.IsEgress ?? false,
            IpProtocol = r.IpProtocol ?? "-1",
            FromPort = r.FromPort ?? -1,
            ToPort = r.ToPort ?? -1,
            CidrIpv4 = r.CidrIpv4,
            CidrIpv6 = r.CidrIpv6,
            PrefixListId = r.PrefixListId,
            ReferencedGroupId = r.ReferencedGroupInfo?.GroupId,
            Description = r.Description,
            Tags = ToTags(r.Tags),
        };

        private static Dictionary<string, string> ToTags(List<Tag>? tags)
        {
            var result = new Dictionary<string, string>();
            foreach (var t in tags ?? new List<Tag>())
                if (t?.Key != null) result[t.Key] = t.Value ?? "";
            return result;
        }
    }
}
