namespace SgNarrower.Json
{
    /// <summary>
    /// A small, strict JSON reader (RFC 8259). Objects become <see cref="JsonObject"/>, arrays
    /// <see cref="List{T}"/> of object, strings string, numbers <see cref="JsonNumber"/>, true/false bool, null null.
    /// The core has no dependencies so that it loads unchanged in Windows PowerShell 5.1 and PowerShell 7.
    /// </summary>
    public sealed class JsonParser
    {
        private const int MaxDepth = 256;
        private readonly string _text;
        private int _pos;

        private JsonParser(string text) { _text = text; }

        public static object? Parse(string text)
        {
            var p = new JsonParser(text);
            if (p._pos < text.Length && text[p._pos] == '\uFEFF') p._pos++;
            p.SkipWhitespace();
            var value = p.ReadValue(0);
            p.SkipWhitespace();
            if (p._pos != text.Length) throw p.Error("Unexpected text after the JSON value");
            return value;
        }

        private object? ReadValue(int depth)
        {
            if (depth > MaxDepth) throw Error("JSON nested too deeply");
            if (_pos >= _text.Length) throw Error("Unexpected end of JSON");
            char c = _text[_pos];
            switch (c)
            {
                case '{': return ReadObject(depth);
                case '[': return ReadArray(depth);
                case '"': return ReadString();
                case 't': Expect("true"); return true;
                case 'f': Expect("false"); return false;
                case 'n': Expect("null"); return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                    throw Error($"Unexpected character '{c}'");
            }
        }

        private JsonObject ReadObject(int depth)
        {
            var obj = new JsonObject();
            _pos++;
            SkipWhitespace();
            if (Peek() == '}') { _pos++; return obj; }
            while (true)
            {
                SkipWhitespace();
                if (Peek() != '"') throw Error("Expected a property name in double quotes");
                var name = ReadString();
                SkipWhitespace();
                if (Peek() != ':') throw Error("Expected ':' after a property name");
                // RFC 8259 leaves a key given twice undefined, and readers disagree (first wins, last wins): refused.
                if (obj.ContainsKey(name)) throw Error($"The key \"{name}\" is given twice in one object; readers disagree about which one counts");
                _pos++;
                SkipWhitespace();
                obj[name] = ReadValue(depth + 1);
                if (!More('}', "an object")) return obj;
            }
        }

        private List<object?> ReadArray(int depth)
        {
            var list = new List<object?>();
            _pos++;
            SkipWhitespace();
            if (Peek() == ']') { _pos++; return list; }
            while (true)
            {
                SkipWhitespace();
                list.Add(ReadValue(depth + 1));
                if (!More(']', "an array")) return list;
            }
        }

        /// <summary>After a member or item: true at a comma (another follows), false at the closing bracket (passed).</summary>
        private bool More(char close, string what)
        {
            SkipWhitespace();
            char c = Peek();
            if (c != ',' && c != close) throw Error($"Expected ',' or '{close}' in {what}");
            _pos++;
            return c == ',';
        }

        private string ReadString()
        {
            _pos++; // opening quote
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= _text.Length) throw Error("Unterminated string");
                char c = _text[_pos++];
                if (c == '"') return sb.ToString();
                if (c == '\\')
                {
                    if (_pos >= _text.Length) throw Error("Unterminated string");
                    char e = _text[_pos++];
                    if (e < 128 && JsonEscapes.RawOf[e] != '\0') sb.Append(JsonEscapes.RawOf[e]);
                    else if (e == 'u')
                    {
                        if (_pos + 4 > _text.Length ||
                            !int.TryParse(_text.Substring(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code))
                            throw Error("Bad \\u escape");
                        sb.Append((char)code);
                        _pos += 4;
                    }
                    else throw Error($"Bad escape '\\{e}'");
                }
                else if (c < ' ')
                {
                    _pos--;
                    throw Error("Control character in a string");
                }
                else sb.Append(c);
            }
        }

        private JsonNumber ReadNumber()
        {
            int start = _pos;
            if (Peek() == '-') _pos++;
            if (!IsDigit(Peek())) throw Error("Bad number");
            if (Peek() == '0') _pos++;
            else while (IsDigit(Peek())) _pos++;
            if (Peek() == '.')
            {
                _pos++;
                if (!IsDigit(Peek())) throw Error("Bad number");
                while (IsDigit(Peek())) _pos++;
            }
            if (Peek() == 'e' || Peek() == 'E')
            {
                _pos++;
                if (Peek() == '+' || Peek() == '-') _pos++;
                if (!IsDigit(Peek())) throw Error("Bad number");
                while (IsDigit(Peek())) _pos++;
            }
            return new JsonNumber(_text.Substring(start, _pos - start));
        }

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

        private void Expect(string word)
        {
            if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0) throw Error("Unexpected word");
            _pos += word.Length;
        }

        private void SkipWhitespace()
        {
            while (_pos < _text.Length)
            {
                char c = _text[_pos];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') _pos++;
                else break;
            }
        }

        private JsonParseException Error(string message)
        {
            int line = 1, col = 1;
            for (int i = 0; i < _pos && i < _text.Length; i++)
            {
                if (_text[i] == '\n') { line++; col = 1; }
                else col++;
            }
            return new JsonParseException(message, line, col);
        }
    }
}
