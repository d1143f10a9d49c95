namespace SgNarrower.Reporting
{
    /// <summary>What an open rule lets in, in the terms of Security Hub's controls.</summary>
    public enum PortRisk
    {
        /// <summary>TCP 80 and 443 only: the ports EC2.18 authorizes by default.</summary>
        WebOnly,
        /// <summary>Any other port (Security Hub EC2.18, unauthorized ports).</summary>
        Unauthorized,
        /// <summary>A port of Security Hub EC2.19's high-risk list, on tcp, udp or all traffic.</summary>
        HighRisk,
    }
}
