namespace SgNarrower.Json
{
    /// <summary>A JSON object: properties in document order, looked up case-insensitively as PowerShell does.</summary>
    public sealed class JsonObject : Dictionary<string, object?>
    {
        public JsonObject() : base(StringComparer.OrdinalIgnoreCase) { }

        public string? GetString(string name)
        {
            if (!TryGetValue(name, out var v) || v == null) return null;
            return v switch
            {
                string s => s,
                JsonNumber n => n.Text,
                bool b => b ? "true" : "false",
                _ => throw new FormatException($"'{name}' should be a string"),
            };
        }

        public int? GetInt32(string name)
        {
            if (!TryGetValue(name, out var v) || v == null) return null;
            if (v is JsonNumber n && n.TryGetInt32(out int i)) return i;
            if (v is string s && int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out i)) return i;
            throw new FormatException($"'{name}' should be a whole number");
        }

        /// <summary>An array property; a missing or null property is empty (as SDK v4 and the CLI may leave lists out).</summary>
        public IReadOnlyList<object?> GetArray(string name)
        {
            if (!TryGetValue(name, out var v) || v == null) return Array.Empty<object?>();
            if (v is List<object?> list) return list;
            // ConvertTo-Json writes a one-element collection as the element itself in some shapes.
            if (v is JsonObject) return new[] { v };
            throw new FormatException($"'{name}' should be a list");
        }
    }
}
