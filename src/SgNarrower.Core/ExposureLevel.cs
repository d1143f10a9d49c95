namespace SgNarrower
{
    public enum ExposureLevel
    {
        /// <summary>No network interface carries the group.</summary>
        Unattached,
        /// <summary>Attached, but no attached interface is reachable from the internet in the rule's address family.</summary>
        Private,
        /// <summary>An attached interface is reachable from the internet in the rule's address family.</summary>
        Public,
    }
}
