namespace SgNarrower.Matching
{
    /// <summary>
    /// A rule opened on purpose for a while carries its own deadline: the rule tag sgnarrower:open-until with an ISO 8601
    /// date (open until the end of that day, UTC) or date and time (UTC unless it says otherwise). Before the deadline
    /// the rule is not reported; after it, it is reported like any other, with when it should have closed.
    /// </summary>
    public sealed class TemporaryOpening
    {
        public const string Tag = "sgnarrower:open-until";
        private static readonly string[] DateOnly = { "yyyy-MM-dd", "yyyyMMdd" };

        private TemporaryOpening(DateTimeOffset? until, string? malformed)
        {
            Until = until;
            Malformed = malformed;
        }

        /// <summary>When the opening ends; null when the rule has no (readable) deadline.</summary>
        public DateTimeOffset? Until { get; }
        /// <summary>The tag's value when it is not an ISO 8601 date or time.</summary>
        public string? Malformed { get; }

        public bool IsOpenUntilLater(DateTimeOffset now) => Until is DateTimeOffset u && u > now;

        /// <summary>Null when the rule has no such tag.</summary>
        public static TemporaryOpening? Of(IReadOnlyDictionary<string, string>? tags)
        {
            if (tags == null || !tags.TryGetValue(Tag, out var raw)) return null;
            var text = (raw ?? "").Trim();
            if (DateTime.TryParseExact(text, DateOnly, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day))
                return new TemporaryOpening(new DateTimeOffset(day.Date.AddDays(1), TimeSpan.Zero), null);
            if (text.Length >= 16 && text[4] == '-' && (text[10] == 'T' || text[10] == 't') &&
                DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment))
                return new TemporaryOpening(moment.ToUniversalTime(), null);
            return new TemporaryOpening(null, raw);
        }
    }
}
