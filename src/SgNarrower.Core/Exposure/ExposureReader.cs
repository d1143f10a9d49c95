using SgNarrower.AwsApi;

namespace SgNarrower.Exposure
{
    /// <summary>
    /// Reads what exposure needs with a few paged calls per region, never one per group: DescribeNetworkInterfaces with a
    /// group-id filter (200 groups a call; not filtered by VPC, since a group can be used by interfaces in other VPCs),
    /// then DescribeRouteTables for the VPCs of those interfaces, each VPC's tables read once per scan.
    /// </summary>
    public sealed class ExposureReader
    {
        private readonly IEc2Api _api;
        private readonly Action<string>? _verbose;
        private readonly Dictionary<string, List<RouteTableInfo>> _tables = new Dictionary<string, List<RouteTableInfo>>(StringComparer.OrdinalIgnoreCase);

        public ExposureReader(IEc2Api api, Action<string>? verbose = null)
        {
            _api = api;
            _verbose = verbose;
        }

        public ExposureMap Read(IEnumerable<string> groupIds)
        {
            var ids = groupIds.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var interfaces = new List<NetworkInterfaceInfo>();
            foreach (var chunk in Paging.Chunk(ids))
                interfaces.AddRange(Paging.All(token =>
                {
                    _verbose?.Invoke($"{_api.Region}: DescribeNetworkInterfaces for {chunk.Count} group(s)");
                    return _api.DescribeNetworkInterfaces(chunk, token);
                }));
            var vpcs = interfaces.Select(i => i.VpcId).Where(v => v != null && !_tables.ContainsKey(v)).Select(v => v!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            foreach (var v in vpcs) _tables[v] = new List<RouteTableInfo>();
            foreach (var chunk in Paging.Chunk(vpcs))
                foreach (var t in Paging.All(token =>
                {
                    _verbose?.Invoke($"{_api.Region}: DescribeRouteTables for {chunk.Count} VPC(s)");
                    return _api.DescribeRouteTables(chunk, token);
                }))
                    if (t.VpcId != null && _tables.TryGetValue(t.VpcId, out var list)) list.Add(t);
            return new ExposureMap(interfaces, _tables.Values.SelectMany(t => t));
        }
    }
}
