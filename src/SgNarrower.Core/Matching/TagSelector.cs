using SgNarrower.Rules;

namespace SgNarrower.Matching
{
    /// <summary>A tag selector: "key" matches any value, "key=value" that value.</summary>
    public sealed class TagSelector
    {
        public TagSelector(string key, string? value) { Key = key; Value = value; }
        public string Key { get; }
        public string? Value { get; }

        public static TagSelector Parse(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) throw new FormatException("A tag selector is 'key' or 'key=value'; it cannot be empty.");
            InputText.Check(text, "The tag selector");
            int eq = text.IndexOf('=');
            return eq < 0 ? new TagSelector(text.Trim(), null) : new TagSelector(text.Substring(0, eq).Trim(), text.Substring(eq + 1));
        }

        public bool Matches(IReadOnlyDictionary<string, string>? tags) =>
            tags != null && tags.TryGetValue(Key, out var v) && (Value == null || string.Equals(v, Value, StringComparison.Ordinal));

        public override string ToString() => Value == null ? Key : Key + "=" + Value;
    }
}
