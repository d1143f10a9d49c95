namespace SgNarrower.Json
{
    /// <summary>A JSON number kept as its text, so that nothing is lost until a caller asks for a type.</summary>
    public sealed class JsonNumber
    {
        public JsonNumber(string text) { Text = text; }
        public string Text { get; }
        public bool TryGetInt32(out int value) =>
            int.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        public override string ToString() => Text;
    }
}
