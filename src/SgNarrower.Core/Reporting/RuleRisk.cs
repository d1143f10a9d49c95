using SgNarrower.Matching;
using SgNarrower.Rules;

namespace SgNarrower.Reporting
{
    /// <summary>
    /// Severity and control of an open rule, from what it exposes and on which ports; one table for the report, ASFF and
    /// OCSF, so that every output says the same. A rule no longer open (revoked, narrowed, found absent) is
    /// Informational, as Security Hub scores a passed check.
    /// <code>
    ///                 HighRisk   Unauthorized   WebOnly
    ///   Public        Critical   High           Low
    ///   not measured  High       Medium         Low
    ///   Private       Medium     Low            Low
    ///   Unattached    Low        Low            Low
    /// </code>
    /// </summary>
    public static class RuleRisk
    {
        private static readonly PortSet HighRiskPorts = PortSet.Of(OpenRulePolicy.HighRiskPortList);
        private static readonly PortSet WebPorts = PortSet.Of(new[] { 80, 443 });

        /// <summary>The Security Hub control (AWS Foundational Security Best Practices) an open rule fails, by port risk.</summary>
        public const string HighRiskControl = "EC2.19";
        public const string UnauthorizedControl = "EC2.18";

        public static PortRisk Ports(RuleIdentity identity)
        {
            switch (identity.Kind)
            {
                case ProtocolKind.All:
                    return PortRisk.HighRisk;
                case ProtocolKind.Tcp:
                case ProtocolKind.Udp:
                    int from = identity.FromPort == -1 ? 0 : identity.FromPort, to = identity.FromPort == -1 ? 65535 : identity.ToPort;
                    if (HighRiskPorts.Intersects(from, to)) return PortRisk.HighRisk;
                    return identity.Kind == ProtocolKind.Tcp && WebPorts.Covers(from, to) && (from == to) ? PortRisk.WebOnly : PortRisk.Unauthorized;
                default:
                    return PortRisk.Unauthorized;
            }
        }

        /// <summary>True unless the status says the open rule is gone.</summary>
        public static bool IsOpen(ChangeStatus? status) =>
            status != ChangeStatus.Revoked && status != ChangeStatus.Narrowed && status != ChangeStatus.AlreadyAbsent;

        public static FindingSeverity Severity(RuleIdentity identity, ExposureLevel? exposure, ChangeStatus? status)
        {
            if (!IsOpen(status)) return FindingSeverity.Informational;
            var ports = Ports(identity);
            switch (exposure)
            {
                case ExposureLevel.Public:
                    return ports == PortRisk.HighRisk ? FindingSeverity.Critical : ports == PortRisk.Unauthorized ? FindingSeverity.High : FindingSeverity.Low;
                case ExposureLevel.Private:
                    return ports == PortRisk.HighRisk ? FindingSeverity.Medium : FindingSeverity.Low;
                case ExposureLevel.Unattached:
                    return FindingSeverity.Low;
                default:
                    return ports == PortRisk.HighRisk ? FindingSeverity.High : ports == PortRisk.Unauthorized ? FindingSeverity.Medium : FindingSeverity.Low;
            }
        }

        /// <summary>The control the rule fails while open: EC2.19 for a high-risk port, EC2.18 for another one, none for TCP 80 or 443.</summary>
        public static string? Control(RuleIdentity identity) => Ports(identity) switch
        {
            PortRisk.HighRisk => HighRiskControl,
            PortRisk.Unauthorized => UnauthorizedControl,
            _ => null,
        };

        /// <summary>"tcp 22", "udp 53", "tcp 8000-8080", "all traffic": how the report groups rules by port.</summary>
        public static string PortLabel(RuleIdentity identity) => identity.Permission;
    }
}
