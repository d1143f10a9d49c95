namespace SgNarrower.Json
{
    /// <summary>Writes compact JSON; properties in the order given so that records diff and read well.</summary>
    public static class JsonWriter
    {
        public static string Write(object? value)
        {
            var sb = new StringBuilder();
            WriteValue(sb, value);
            return sb.ToString();
        }

        public static void WriteValue(StringBuilder sb, object? value)
        {
            switch (value)
            {
                case null: sb.Append("null"); break;
                case string s: WriteString(sb, s); break;
                case bool b: sb.Append(b ? "true" : "false"); break;
                case int i: sb.Append(i.ToString(CultureInfo.InvariantCulture)); break;
                case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
                case JsonNumber n: sb.Append(n.Text); break;
                case IEnumerable<KeyValuePair<string, object?>> obj:
                    WriteObject(sb, obj);
                    break;
                case IEnumerable<KeyValuePair<string, string>> map:
                    WriteObject(sb, map.Select(kv => new KeyValuePair<string, object?>(kv.Key, kv.Value)));
                    break;
                case System.Collections.IEnumerable list:
                    sb.Append('[');
                    bool firstItem = true;
                    foreach (var item in list)
                    {
                        if (!firstItem) sb.Append(',');
                        firstItem = false;
                        WriteValue(sb, item);
                    }
                    sb.Append(']');
                    break;
                default:
                    WriteString(sb, System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
                    break;
            }
        }

        private static void WriteObject(StringBuilder sb, IEnumerable<KeyValuePair<string, object?>> members)
        {
            sb.Append('{');
            bool first = true;
            foreach (var kv in members)
            {
                if (!first) sb.Append(',');
                first = false;
                WriteString(sb, kv.Key);
                sb.Append(':');
                WriteValue(sb, kv.Value);
            }
            sb.Append('}');
        }

        public static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                if (c < 128 && JsonEscapes.CodeOf[c] != '\0') sb.Append('\\').Append(JsonEscapes.CodeOf[c]);
                else if (c < ' ') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                else sb.Append(c);
            }
            sb.Append('"');
        }
    }
}
