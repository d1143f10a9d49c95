namespace SgNarrower.Changes
{
    /// <summary>
    /// The tags SgNarrower puts on rules it adds or edits. A replacement lists the run ids of the records whose rules it
    /// replaces, so that a restore of one record removes only what that record's narrowing added, and a replacement
    /// several runs share stays until every one of them is restored.
    /// </summary>
    /// <remarks>
    /// A run id is never cut. EC2 holds at most 256 characters in a tag value (EC2 User Guide, "Tag restrictions"), so
    /// the ids of a family are packed whole, space-separated, into as many values as they need: the family's key, then
    /// key.2, key.3 and so on. A value emptied by a restore stays as an empty tag (CreateTags cannot remove one).
    /// </remarks>
    public static class RuleTags
    {
        public const string Replacement = "sgnarrower:replacement";
        public const string Restored = "sgnarrower:restored";
        /// <summary>On an open rule that narrowing edited in place (it keeps its id): the run id of the record that holds it as it was.</summary>
        public const string Narrowed = "sgnarrower:narrowed";
        /// <summary>EC2's limit on a tag value.</summary>
        public const int MaxValueLength = 256;
        /// <summary>The longest run id a record may carry: whole ids must fit a tag value, with room to spare.</summary>
        public const int MaxRunIdLength = 128;

        /// <summary>The key of a family's n-th value (1-based).</summary>
        public static string KeyOf(string family, int n) => n == 1 ? family : family + "." + n.ToString(CultureInfo.InvariantCulture);

        /// <summary>The n (1-based) of a key of this family; 0 for a key of another.</summary>
        private static int IndexOf(string key, string family)
        {
            if (string.Equals(key, family, StringComparison.Ordinal)) return 1;
            if (key.Length <= family.Length + 1 || !key.StartsWith(family + ".", StringComparison.Ordinal)) return 0;
            var digits = key.Substring(family.Length + 1);
            return digits.Length <= 3 && digits[0] != '0' && digits.All(c => c >= '0' && c <= '9') ? int.Parse(digits, CultureInfo.InvariantCulture) : 0;
        }

        /// <summary>The run ids of a family, from all its values, in order and each once.</summary>
        public static IReadOnlyList<string> RunIds(IReadOnlyDictionary<string, string>? tags, string family = Replacement)
        {
            if (tags == null || tags.Count == 0) return Array.Empty<string>();
            return tags.Select(t => (N: IndexOf(t.Key, family), t.Value)).Where(t => t.N > 0).OrderBy(t => t.N)
                .SelectMany(t => (t.Value ?? "").Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
                .Distinct(StringComparer.Ordinal).ToList();
        }

        public static bool IsNarrowedBy(IReadOnlyDictionary<string, string>? tags, string runId) =>
            RunIds(tags, Narrowed).Contains(runId, StringComparer.Ordinal);

        public static bool IsReplacementOf(IReadOnlyDictionary<string, string>? tags, string runId) =>
            RunIds(tags).Contains(runId, StringComparer.Ordinal);

        /// <summary>
        /// The tags that make a rule's family list exactly these run ids: whole ids packed into values of at most 256
        /// characters, and every other value of the family the rule has now (<paramref name="existing"/>) emptied.
        /// </summary>
        public static Dictionary<string, string> Write(string family, IEnumerable<string> runIds, IReadOnlyDictionary<string, string>? existing = null)
        {
            var values = new List<string>();
            var current = new StringBuilder();
            foreach (var id in runIds.Distinct(StringComparer.Ordinal))
            {
                if (id.Length == 0 || id.Length > MaxRunIdLength || id.Any(char.IsWhiteSpace))
                    throw new ArgumentException($"'{id}' is not a run id SgNarrower writes (1-{MaxRunIdLength} characters, no spaces).", nameof(runIds));
                if (current.Length > 0 && current.Length + 1 + id.Length > MaxValueLength)
                {
                    values.Add(current.ToString());
                    current.Clear();
                }
                if (current.Length > 0) current.Append(' ');
                current.Append(id);
            }
            values.Add(current.ToString());
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int n = 1; n <= values.Count; n++) tags[KeyOf(family, n)] = values[n - 1];
            foreach (var key in existing?.Keys ?? Enumerable.Empty<string>())
                if (IndexOf(key, family) > 0 && !tags.ContainsKey(key)) tags[key] = "";
            return tags;
        }

        /// <summary>The same run ids, in one canonical text: what tells two sets of owners apart.</summary>
        public static string SetKey(IEnumerable<string> runIds) => string.Join(" ", runIds.Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal));
    }
}
