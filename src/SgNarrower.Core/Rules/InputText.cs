namespace SgNarrower.Rules
{
    /// <summary>
    /// Text handed in is text: an address, id, region or tag selector with a control character (C0, DEL, C1) or a
    /// bidirectional mark, override or isolate in it is refused, never read past. Number and address parsers stop at
    /// some of them (.NET reads "24\0" as 24), and an override makes a value read one way on screen and another by EC2.
    /// </summary>
    public static class InputText
    {
        /// <summary>Whether the character may not appear in a value handed in.</summary>
        public static bool IsForbidden(char c) =>
            char.IsControl(c)
            || c == '\u061C' || c == '\u200E' || c == '\u200F'
            || (c >= '\u202A' && c <= '\u202E')
            || (c >= '\u2066' && c <= '\u2069');

        /// <summary>The index of the first forbidden character, or -1.</summary>
        public static int IndexOfForbidden(string? text)
        {
            if (text == null) return -1;
            for (int i = 0; i < text.Length; i++)
                if (IsForbidden(text[i])) return i;
            return -1;
        }

        public static bool IsPlain(string? text) => IndexOfForbidden(text) < 0;

        /// <summary>
        /// Why <paramref name="text"/> is refused (naming <paramref name="what"/>, the character and where it is), or
        /// null when it is plain.
        /// </summary>
        public static string? Problem(string? text, string what)
        {
            int i = IndexOfForbidden(text);
            if (i < 0) return null;
            var c = text![i];
            var kind = char.IsControl(c) ? "a control character" : "a bidirectional formatting character";
            return $"{what} '{Visible(text)}' has {kind} (U+{(int)c:X4}) at position {i + 1} of {text.Length}. Such characters are refused, never read past; type the value again without it.";
        }

        /// <summary>Throws a FormatException when <paramref name="text"/> is not plain; returns it otherwise.</summary>
        public static string? Check(string? text, string what) =>
            Problem(text, what) is string problem ? throw new FormatException(problem) : text;

        /// <summary>The text with each forbidden character shown as its code point, so a message can show where it is.</summary>
        public static string Visible(string text)
        {
            var sb = new System.Text.StringBuilder(text.Length + 8);
            foreach (var c in text)
                if (IsForbidden(c)) sb.Append("<U+").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('>');
                else sb.Append(c);
            return sb.ToString();
        }
    }
}
