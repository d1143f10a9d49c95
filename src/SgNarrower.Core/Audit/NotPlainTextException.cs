using SgNarrower.Rules;

namespace SgNarrower.Audit
{
    /// <summary>A field's text holds a control or bidirectional character; the reader names the field.</summary>
    internal sealed class NotPlainTextException(string text) : FormatException(InputText.Problem(text, "a value"))
    {
        public string Text { get; } = text;

        /// <summary>The message, naming the field the text was read for.</summary>
        public string For(string field) => InputText.Problem(Text, field) ?? Message;
    }
}
