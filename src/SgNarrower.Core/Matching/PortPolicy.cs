namespace SgNarrower.Matching
{
    /// <summary>Compliance presets for which open rules matter.</summary>
    public enum PortPolicy
    {
        /// <summary>Every rule open to the world.</summary>
        All,
        /// <summary>Security Hub EC2.19: high-risk ports on tcp, udp and all traffic.</summary>
        HighRiskPorts,
        /// <summary>AWS Config restricted-ssh: TCP 22.</summary>
        RestrictedSsh,
        /// <summary>AWS Config restricted-common-ports defaults: TCP 20, 21, 3389, 3306, 4333.</summary>
        RestrictedCommonPorts,
        /// <summary>Security Hub EC2.18 / Config vpc-sg-open-only-to-authorized-ports: TCP 80 and 443 authorized by default.</summary>
        AuthorizedPortsOnly,
    }
}
