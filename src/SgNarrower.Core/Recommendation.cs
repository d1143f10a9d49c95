namespace SgNarrower
{
    public enum Recommendation
    {
        /// <summary>No accepted traffic in the window, or nothing carries the group: close it.</summary>
        Revoke,
        /// <summary>Every observed source is covered by a few blocks within the limits: narrow to them.</summary>
        Narrow,
        /// <summary>Widely used: covering it would need a broader block than allowed; it serves the internet.</summary>
        Keep,
    }
}
