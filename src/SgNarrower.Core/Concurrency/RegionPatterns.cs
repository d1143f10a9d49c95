namespace SgNarrower.Concurrency
{
    /// <summary>Region names with wildcards: '*' for every enabled region, 'eu-*' for some.</summary>
    public static class RegionPatterns
    {
        public static bool HasWildcard(string pattern) => pattern.IndexOfAny(new[] { '*', '?' }) >= 0;

        public static IReadOnlyList<string> Expand(IEnumerable<string> patterns, IReadOnlyList<string> enabled)
        {
            var result = new List<string>();
            foreach (var p in patterns)
            {
                if (!HasWildcard(p)) { if (!result.Contains(p)) result.Add(p); continue; }
                var regex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(p).Replace("\\*", ".*").Replace("\\?", ".") + "\\z",
                    System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
                foreach (var r in enabled.Where(r => regex.IsMatch(r)).OrderBy(r => r, StringComparer.Ordinal))
                    if (!result.Contains(r)) result.Add(r);
            }
            return result;
        }
    }
}
