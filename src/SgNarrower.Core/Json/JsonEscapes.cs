namespace SgNarrower.Json
{
    /// <summary>JSON's two-character escapes (RFC 8259 section 7), one table for the reader and the writer.</summary>
    internal static class JsonEscapes
    {
        private static readonly (char Raw, char Code)[] Pairs =
            { ('"', '"'), ('\\', '\\'), ('\n', 'n'), ('\r', 'r'), ('\t', 't'), ('\b', 'b'), ('\f', 'f') };

        /// <summary>For a character below 128: the letter that follows the backslash when it is written escaped, else '\0'.</summary>
        public static readonly char[] CodeOf = Table(Pairs.Select(p => (p.Raw, p.Code)));

        /// <summary>For the letter after a backslash (below 128): the character it stands for, else '\0'. "\/" is read too, never written.</summary>
        public static readonly char[] RawOf = Table(Pairs.Select(p => (p.Code, p.Raw)).Append(('/', '/')));

        private static char[] Table(IEnumerable<(char From, char To)> pairs)
        {
            var table = new char[128];
            foreach (var (from, to) in pairs) table[from] = to;
            return table;
        }
    }
}
