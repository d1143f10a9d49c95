namespace SgNarrower.Audit
{
    /// <summary>RFC 4180 CSV: quote where needed, and read back.</summary>
    public static class Csv
    {
        public static string Quote(string value)
        {
            if (value.IndexOfAny(new[] { ',', '"', '\r', '\n' }) < 0 && value.Trim() == value) return value;
            return "\"" + value.Replace("\"", "\"\"") + "\"";
        }

        /// <summary>Rows of fields with the line number each row starts on; throws FormatException for a broken quote.</summary>
        public static List<(int Line, List<string> Fields)> Read(string text)
        {
            var rows = new List<(int, List<string>)>();
            var fields = new List<string>();
            var field = new StringBuilder();
            bool quoted = false, any = false;
            int line = 1, rowLine = 1;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (i == 0 && c == '\uFEFF') continue;
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                        else quoted = false;
                    }
                    else
                    {
                        if (c == '\n') line++;
                        field.Append(c);
                    }
                    continue;
                }
                switch (c)
                {
                    case '"': quoted = true; any = true; break;
                    case ',': fields.Add(field.ToString()); field.Clear(); any = true; break;
                    case '\r': break;
                    case '\n':
                        if (any || field.Length > 0) { fields.Add(field.ToString()); rows.Add((rowLine, fields)); }
                        fields = new List<string>();
                        field.Clear();
                        any = false;
                        line++;
                        rowLine = line;
                        break;
                    default: field.Append(c); any = true; break;
                }
            }
            if (quoted) throw new FormatException($"line {rowLine}: a quoted field is not closed");
            if (any || field.Length > 0) { fields.Add(field.ToString()); rows.Add((rowLine, fields)); }
            return rows;
        }
    }
}
