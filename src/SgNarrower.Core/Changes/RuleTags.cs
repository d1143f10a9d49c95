namespace SgNarrower.Changes
{
    /// <summary>
    /// The tags SgNarrower puts on rules it adds. A replacement's tag value lists the run ids of the records whose rules
    /// it replaces (space-separated), so that a restore of one record removes only what that record's narrowing added,
    /// and a replacement two runs share stays until both are restored.
    /// </summary>
    public static class RuleTags
    {
        public const string Replacement = "sgnarrower:replacement";
        public const string Restored = "sgnarrower:restored";
        /// <summary>On an open rule that narrowing edited in place (it keeps its id): the run id of the record that holds it as it was.</summary>
        public const string Narrowed = "sgnarrower:narrowed";
        /// <summary>EC2's limit on a tag value.</summary>
        public const int MaxValueLength = 256;

        public static IReadOnlyList<string> RunIds(IReadOnlyDictionary<string, string>? tags, string key = Replacement) =>
            tags != null && tags.TryGetValue(key, out var v)
                ? v.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries)
                : Array.Empty<string>();

        public static bool IsNarrowedBy(IReadOnlyDictionary<string, string>? tags, string runId) =>
            RunIds(tags, Narrowed).Contains(runId, StringComparer.Ordinal);

        public static bool IsReplacementOf(IReadOnlyDictionary<string, string>? tags, string runId) =>
            RunIds(tags).Contains(runId, StringComparer.Ordinal);

        public static string Join(IEnumerable<string> runIds)
        {
            var value = string.Join(" ", runIds.Distinct(StringComparer.Ordinal));
            return value.Length <= MaxValueLength ? value : value.Substring(0, MaxValueLength);
        }
    }
}
