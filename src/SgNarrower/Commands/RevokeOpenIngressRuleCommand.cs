using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using SgNarrower.Audit;

namespace SgNarrower.Commands
{
    /// <summary>Revokes open rules, or narrows them to replacement sources; one call per security group.</summary>
    [Cmdlet(VerbsSecurity.Revoke, "OpenIngressRule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(IngressRuleChange))]
    public sealed class RevokeOpenIngressRuleCommand : ChangeCmdlet
    {
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? GroupId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? SecurityGroupRuleId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? IpProtocol { get; set; }

        // Strings, not ints: Import-Csv gives "" for none, which must mean -1, not 0.
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? FromPort { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? ToPort { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? CidrIpv4 { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? CidrIpv6 { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Description { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? GroupName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? VpcId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? OwnerId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? Tags { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? GroupTags { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? AuditUri { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? AuditRunId { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? ReplaceWith { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? AuditPath { get; set; }

        [Parameter]
        public SwitchParameter SkipAudit { get; set; }

        private readonly List<OpenIngressRule> _rules = new List<OpenIngressRule>();

        protected override void BeginProcessing()
        {
            foreach (var source in ReplaceWith ?? Array.Empty<string>())
            {
                bool isGroup = source.StartsWith("sg-", StringComparison.OrdinalIgnoreCase) && source.Length > 3;
                if (!isGroup && (!Cidr.TryParse(source, out var c) || c.IsWorld))
                    ThrowTerminatingError(Errors.Record("InvalidReplacement", ErrorCategory.InvalidArgument,
                        $"-ReplaceWith '{source}' is neither a CIDR block narrower than the world (like 203.0.113.0/24 or 2001:db8::/32) nor a security group id (sg-...).", source));
            }
            if (SkipAudit && AuditPath != null)
                ThrowTerminatingError(Errors.Record("ParameterConflict", ErrorCategory.InvalidArgument, "-SkipAudit and -AuditPath contradict each other.", null));
        }

        protected override void ProcessRecord()
        {
            object? Get(string name) => name switch
            {
                "Region" => Region,
                "GroupId" => GroupId,
                "SecurityGroupRuleId" => SecurityGroupRuleId,
                "IpProtocol" => IpProtocol,
                "FromPort" => FromPort,
                "ToPort" => ToPort,
                "CidrIpv4" => CidrIpv4,
                "CidrIpv6" => CidrIpv6,
                "Description" => Description,
                "GroupName" => GroupName,
                "VpcId" => VpcId,
                "OwnerId" => OwnerId,
                "Tags" => PipelineInput.Unwrap(Tags),
                "GroupTags" => PipelineInput.Unwrap(GroupTags),
                "AuditUri" => AuditUri,
                "AuditRunId" => AuditRunId,
                _ => null,
            };
            try
            {
                var rule = RuleInput.FromProperties(Get);
                var missing = RuleInput.MissingForChange(rule);
                if (missing != null) throw new FormatException(missing);
                _rules.Add(rule);
            }
            catch (FormatException e)
            {
                WriteError(Errors.Record("InvalidRuleObject", ErrorCategory.InvalidData,
                    $"Cannot revoke this rule of {GroupId}: {e.Message}. It was left as it is.", GroupId, e));
            }
        }

        protected override void EndProcessing()
        {
            if (_rules.Count == 0) return;
            var replace = ReplaceWith ?? Array.Empty<string>();
            var action = replace.Length > 0 ? $"Grant the same ports to {string.Join(", ", replace)}, then revoke" : "Revoke";
            var approved = new List<OpenIngressRule>();
            var results = new List<IngressRuleChange>();
            foreach (var rule in _rules)
            {
                if (Approve(rule.ToString() + (rule.SecurityGroupRuleId != null ? $" ({rule.SecurityGroupRuleId})" : ""), action)) approved.Add(rule);
                else WriteObject(new IngressRuleChange(rule, "Revoke") { Status = ChangeStatus.Skipped, ReplacedWith = replace.ToList() });
            }
            if (approved.Count == 0) return;

            using var session = OpenSession();
            var run = AuditRunInfo.New(ModuleInfo.Tool);
            AssignRegions(approved, session);
            WriteJournal(approved.Where(r => r.AuditUri == null).ToList(), run);
            RunByGroup(session, approved, "Revoking open ingress rules",
                (changes, groupId, rules) => changes.Revoke(groupId, rules, replace, run.RunId));
        }

        /// <summary>Nothing is revoked without a record: rules that did not come through Export-IngressAudit are journaled first.</summary>
        private void WriteJournal(List<OpenIngressRule> unrecorded, AuditRunInfo run)
        {
            if (unrecorded.Count == 0 || SkipAudit) return;
            string path = AuditPath != null ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(AuditPath) : DefaultJournalFolder();
            if (AuditPath == null || Directory.Exists(path))
            {
                Directory.CreateDirectory(path);
                path = Path.Combine(path, "revoke-" + run.FileName(AuditFormat.JsonLines));
            }
            try
            {
                AuditRecorder.Write(unrecorded.Select(r => new AuditEntry(r)).ToList(), run, AuditFormat.JsonLines, new AuditDestination { FilePath = path });
            }
            catch (AuditWriteException e)
            {
                ThrowTerminatingError(Errors.Record(e.ErrorId, ErrorCategory.WriteError, $"The journal of the rules to revoke was not written: {e.Message} Nothing was revoked.", path, e));
            }
            foreach (var r in unrecorded)
            {
                r.AuditUri = path;
                r.AuditRunId = run.RunId;
            }
            WriteInformation(new HostInformationMessage { Message = $"Journaled {unrecorded.Count} rule(s) before revoking, to {path}." }, new[] { "PSHOST", "SgNarrower" });
        }

        internal static string DefaultJournalFolder()
        {
            var baseDir = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            if (string.IsNullOrEmpty(baseDir)) baseDir = Path.GetTempPath();
            return Path.Combine(baseDir, "SgNarrower", "journal");
        }
    }
}
