using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using SgNarrower.Services;
using SgNarrower.Completers;
using SgNarrower.Offline;
using SgNarrower.Scanning;

namespace SgNarrower.Commands
{
    /// <summary>Finds EC2 security-group ingress rules open to the world, one object per rule.</summary>
    [Cmdlet(VerbsCommon.Get, "OpenIngressRule", DefaultParameterSetName = LiveSet)]
    [OutputType(typeof(OpenIngressRule))]
    public sealed class GetOpenIngressRuleCommand : AwsCmdlet
    {
        private const string LiveSet = "Live";
        private const string OfflineSet = "Offline";

        [Parameter(ParameterSetName = LiveSet, Position = 0)]
        [Parameter(ParameterSetName = OfflineSet)]
        [ArgumentCompleter(typeof(RegionCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Region { get; set; }

        [Parameter(ParameterSetName = OfflineSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        [Parameter(ParameterSetName = LiveSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[]? GroupId { get; set; }

        [Parameter(ParameterSetName = LiveSet)]
        [ValidateNotNullOrEmpty]
        public string[]? VpcId { get; set; }

        [Parameter(ParameterSetName = LiveSet)]
        [ValidateRange(5, 1000)]
        public int PageSize { get; set; } = 1000;

        [Parameter]
        [ValidateRange(0, 65535)]
        public int[]? Port { get; set; }

        [Parameter]
        public PortPolicy PortPolicy { get; set; } = PortPolicy.All;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? AuthorizedTcpPort { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? AuthorizedUdpPort { get; set; }

        [Parameter]
        [ValidateRange(0, 32)]
        public int? BroadIpv4PrefixLength { get; set; }

        [Parameter]
        [ValidateRange(0, 128)]
        public int? BroadIpv6PrefixLength { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? IncludeCidr { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? ExcludeGroupId { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? ExcludeGroupTag { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? ExcludeRuleTag { get; set; }

        private OpenRuleMatcher? _matcher;
        private readonly List<string> _groupIds = new List<string>();
        private readonly List<string> _paths = new List<string>();

        protected override void BeginProcessing()
        {
            if (ParameterSetName == OfflineSet)
            {
                var conflicting = ConnectionParameterNames.Where(MyInvocation.BoundParameters.ContainsKey).ToList();
                if (conflicting.Count > 0)
                    ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument,
                        $"-Path scans a saved file and calls no AWS service; leave out -{string.Join(", -", conflicting)}.", null));
                if (Region != null && Region.Length > 1)
                    ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument,
                        "With -Path, -Region only labels the rules read from the file: give one region, the one the file was exported from.", null));
            }
            try
            {
                _matcher = new OpenRuleMatcher(OpenRulePolicy.Create(PortPolicy, Port, AuthorizedTcpPort, AuthorizedUdpPort,
                    BroadIpv4PrefixLength, BroadIpv6PrefixLength, IncludeCidr, ExcludeGroupId, ExcludeGroupTag, ExcludeRuleTag));
            }
            catch (FormatException e)
            {
                ThrowTerminatingError(Errors.Record("InvalidPolicy", ErrorCategory.InvalidArgument, e.Message, null, e));
            }
        }

        protected override void ProcessRecord()
        {
            if (GroupId != null) _groupIds.AddRange(GroupId);
            if (Path != null) _paths.AddRange(Path);
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == OfflineSet) ScanFiles();
            else ScanLive();
        }

        private void ScanFiles()
        {
            var files = new List<string>();
            foreach (var p in _paths)
            {
                try
                {
                    var resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(p, out var provider);
                    if (provider.Name != "FileSystem") throw new ItemNotFoundException($"'{p}' is not a file system path.");
                    files.AddRange(resolved);
                }
                catch (ItemNotFoundException e)
                {
                    ThrowTerminatingError(Errors.Record("FileNotFound", ErrorCategory.ObjectNotFound, $"Cannot read '{p}': {e.Message}", p, e));
                }
            }
            var label = Region?.FirstOrDefault();
            foreach (var file in files)
            {
                List<SecurityGroupSnapshot> groups;
                try
                {
                    groups = SecurityGroupJsonReader.Read(File.ReadAllText(file));
                }
                catch (SecurityGroupFileException e)
                {
                    ThrowTerminatingError(Errors.Record("InvalidSecurityGroupFile", ErrorCategory.InvalidData, $"'{file}': {e.Message}", file, e));
                    return;
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    ThrowTerminatingError(Errors.Record("FileUnreadable", ErrorCategory.ReadError, $"Cannot read '{file}': {e.Message}", file, e));
                    return;
                }
                WriteVerbose($"{file}: {groups.Count} security group(s)");
                foreach (var group in groups)
                    foreach (var rule in _matcher!.Match(group, label))
                        if (!_matcher.IsRuleExempt(rule.Tags)) WriteObject(rule);
            }
        }

        private void ScanLive()
        {
            using var session = OpenSession();
            var regions = (Region is { Length: > 0 } ? Region : new[] { ResolveRegion(session, null) })
                .Select(r => r.Trim()).Distinct(StringComparer.Ordinal).ToList();
            var apis = new List<IEc2Api>();
            foreach (var r in regions)
            {
                try { apis.Add(session.Ec2(r)); }
                catch (AwsSetupException e) { ThrowSetup(e); }
            }

            var scope = new ScanScope { GroupIds = _groupIds, VpcIds = VpcId ?? Array.Empty<string>(), PageSize = PageSize };
            const int activityId = 1;
            for (int i = 0; i < apis.Count; i++)
            {
                var api = apis[i];
                int index = i;
                var scanner = new OpenRuleScanner(_matcher!, WriteVerbose, p =>
                    WriteProgress(new ProgressRecord(activityId, "Scanning security groups",
                        $"{p.Region}: {p.GroupsScanned} group(s) in {p.Pages} page(s), {p.OpenRules} open rule(s)")
                    {
                        PercentComplete = apis.Count > 1 ? index * 100 / apis.Count : -1,
                        CurrentOperation = $"Region {index + 1} of {apis.Count}",
                    }));
                try
                {
                    foreach (var rule in scanner.ScanRegion(api, scope)) WriteObject(rule);
                    foreach (var missing in scanner.MissingGroupIds)
                        WriteError(Errors.Record("SecurityGroupNotFound", ErrorCategory.ObjectNotFound,
                            $"Security group {missing} was not found in {api.Region}. Check the id and the region.", missing));
                }
                catch (AwsServiceException e)
                {
                    // One region failing (access, network) does not stop the others.
                    WriteError(Errors.Aws(e, "region " + api.Region, api.Region));
                }
            }
            WriteProgress(new ProgressRecord(activityId, "Scanning security groups", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
