using System.IO;
using System.Runtime.CompilerServices;
using System.Text;

namespace SgNarrower.Json
{
    /// <summary>
    /// The one JSON reader of SgNarrower (RFC 8259): a pull reader over UTF-8 bytes, streamed from a
    /// <see cref="Stream"/> in 64 KB blocks or read from bytes in memory. Readers of a shape (an export, a record line,
    /// a whole document) walk it value by value, decode only the strings they keep and pass over the rest without
    /// building anything. Every fault is a <see cref="JsonParseException"/> with one set of messages, the line and the
    /// column; a key read twice in one object is refused by the one rule here (<see cref="DuplicateKey"/>).
    /// Input with a UTF-16 byte-order mark (Windows PowerShell's Out-File) is turned into UTF-8 as it is read.
    /// </summary>
    public sealed class JsonTokenReader
    {
        public const int MaxDepth = 256;
        // Optimised at first call rather than after tiering: a large file is one long loop through these few methods.
        // (MethodImplOptions.AggressiveOptimization, .NET Core 3 and later; Windows PowerShell's runtime ignores it.)
        private const MethodImplOptions Hot = (MethodImplOptions)512;
        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);

        private readonly Stream? _stream;
        private readonly byte[] _buffer;
        private int _length, _pos;
        private long _before;          // bytes read before the buffer's first byte
        private long _lineStart;       // offset of the current line's first byte
        private int _line = 1;
        private byte[] _scratch = new byte[256];
        private int _count;

        /// <summary>Reads <paramref name="stream"/> as it goes (UTF-8, with or without a byte-order mark, or UTF-16 with one).</summary>
        public JsonTokenReader(Stream stream)
        {
            _stream = Utf16.ToUtf8(stream);
            _buffer = new byte[1 << 16];
            SkipByteOrderMark();
        }

        /// <summary>Reads the bytes of one document held in memory.</summary>
        public JsonTokenReader(byte[] utf8) : this(utf8, utf8.Length) { }

        private JsonTokenReader(byte[] utf8, int length)
        {
            _buffer = utf8;
            _length = length;
            SkipByteOrderMark();
        }

        /// <summary>Reads a document given as text.</summary>
        public static JsonTokenReader OfText(string text)
        {
            try { return new JsonTokenReader(StrictUtf8.GetBytes(text)); }
            catch (EncoderFallbackException) { throw new JsonParseException("The text holds half of a character (a lone surrogate)", 1, 1); }
        }

        public int Line => _line;

        private void SkipByteOrderMark()
        {
            if (Peek() == 0xEF && Ensure(3) && _buffer[_pos + 1] == 0xBB && _buffer[_pos + 2] == 0xBF) _pos += 3;
        }

        // ------------------------------------------------------------------ values

        /// <summary>The kind of the next value, after whitespace; <see cref="JsonKind.End"/> at the end of the input.</summary>
        [MethodImpl(Hot)]
        public JsonKind Kind()
        {
            SkipWhitespace();
            byte c = Peek();
            switch (c)
            {
                case (byte)'{': return JsonKind.Object;
                case (byte)'[': return JsonKind.Array;
                case (byte)'"': return JsonKind.String;
                case (byte)'t': return JsonKind.True;
                case (byte)'f': return JsonKind.False;
                case (byte)'n': return JsonKind.Null;
                case 0: return AtEnd ? JsonKind.End : JsonKind.Invalid;
                default: return c == '-' || (c >= '0' && c <= '9') ? JsonKind.Number : JsonKind.Invalid;
            }
        }

        /// <summary>Passes '{': true when a member follows (the reader is then at its name), false for {}.</summary>
        [MethodImpl(Hot)]
        public bool BeginObject(int depth) => Begin(depth, JsonKind.Object, (byte)'}', "Expected an object");

        /// <summary>Passes '[': true when an item follows (the reader is then at it), false for [].</summary>
        [MethodImpl(Hot)]
        public bool BeginArray(int depth) => Begin(depth, JsonKind.Array, (byte)']', "Expected a list");

        [MethodImpl(Hot)]
        private bool Begin(int depth, JsonKind kind, byte close, string expected)
        {
            if (depth > MaxDepth) throw Error("JSON nested too deeply");
            if (Kind() != kind) throw Error(expected);
            _pos++;
            SkipWhitespace();
            if (Peek() != close) return true;
            _pos++;
            return false;
        }

        /// <summary>After a member's value: true at a comma (another member follows), false at the closing '}' (passed).</summary>
        [MethodImpl(Hot)]
        public bool NextMember()
        {
            SkipWhitespace();
            byte c = Take();
            if (c == ',') return true;
            if (c == '}') return false;
            _pos--;
            throw Error("Expected ',' or '}' in an object");
        }

        /// <summary>After an item: true at a comma (another item follows), false at the closing ']' (passed).</summary>
        [MethodImpl(Hot)]
        public bool NextItem()
        {
            SkipWhitespace();
            byte c = Take();
            if (c == ',') { SkipWhitespace(); return true; }
            if (c == ']') return false;
            _pos--;
            throw Error("Expected ',' or ']' in a list");
        }

        /// <summary>A member's name as text, and its colon; the reader is then at the value.</summary>
        public string ReadName()
        {
            NameBytes();
            var name = Decode();
            Colon();
            return name;
        }

        /// <summary>A member's name matched against <paramref name="names"/> (ASCII, any case) without making a string: its index, or -1.</summary>
        [MethodImpl(Hot)]
        public int ReadName(JsonNames names)
        {
            SkipWhitespace();
            if (Peek() != '"') throw Error("Expected a property name in double quotes");
            int m;
            // The usual name: plain bytes, closed within the buffer, matched where it lies.
            int start = _pos + 1, end = PlainRun(_buffer, start, _length);
            if (end < _length && _buffer[end] == '"')
            {
                m = names.Match(_buffer, start, end - start);
                _pos = end + 1;
            }
            else
            {
                StringBytes();
                m = names.Match(_scratch, 0, _count);
            }
            Colon();
            return m;
        }

        private void NameBytes()
        {
            SkipWhitespace();
            if (Peek() != '"') throw Error("Expected a property name in double quotes");
            StringBytes();
        }

        [MethodImpl(Hot)]
        private void Colon()
        {
            SkipWhitespace();
            if (Take() != ':') { _pos--; throw Error("Expected ':' after a property name"); }
            SkipWhitespace();
        }

        /// <summary>A string value.</summary>
        [MethodImpl(Hot)]
        public string ReadString()
        {
            if (Kind() != JsonKind.String) throw Error("Expected a string");
            StringBytes();
            return Decode();
        }

        /// <summary>A number's text as written.</summary>
        public string ReadNumber()
        {
            if (Kind() != JsonKind.Number) throw Error("Expected a number");
            NumberBytes();
            return Encoding.ASCII.GetString(_scratch, 0, _count);
        }

        /// <summary>
        /// A number written as a whole number of at most nine digits, read without making a string (the ports and
        /// counts of an export); false, with nothing passed, for any other value.
        /// </summary>
        [MethodImpl(Hot)]
        public bool TryReadSmallInt(out int value)
        {
            value = 0;
            if (Kind() != JsonKind.Number || !Ensure(11)) return false;
            int p = _pos;
            bool negative = _buffer[p] == '-';
            if (negative) p++;
            int start = p, n = 0;
            while (p < _length && p - start < 10 && _buffer[p] >= '0' && _buffer[p] <= '9') n = n * 10 + (_buffer[p++] - '0');
            int digits = p - start;
            if (digits == 0 || digits > 9 || (digits > 1 && _buffer[start] == '0')) return false;
            if (p < _length && (_buffer[p] == '.' || _buffer[p] == 'e' || _buffer[p] == 'E' || (_buffer[p] >= '0' && _buffer[p] <= '9'))) return false;
            _pos = p;
            value = negative ? -n : n;
            return true;
        }

        /// <summary>true, false or null (passed); anything else is an error.</summary>
        public bool? ReadLiteral()
        {
            switch (Kind())
            {
                case JsonKind.True: Expect("true"); return true;
                case JsonKind.False: Expect("false"); return false;
                case JsonKind.Null: Expect("null"); return null;
                default: throw Unexpected();
            }
        }

        /// <summary>Passes a null; false (nothing passed) when the next value is not null.</summary>
        [MethodImpl(Hot)]
        public bool SkipNull()
        {
            if (Kind() != JsonKind.Null) return false;
            Expect("null");
            return true;
        }

        /// <summary>A string, number or literal as text, null for JSON null; an object or list is an error.</summary>
        [MethodImpl(Hot)]
        public string? ReadScalar()
        {
            switch (Kind())
            {
                case JsonKind.String: StringBytes(); return Decode();
                case JsonKind.Number: return ReadNumber();
                case JsonKind.True: Expect("true"); return "true";
                case JsonKind.False: Expect("false"); return "false";
                case JsonKind.Null: Expect("null"); return null;
                case JsonKind.Object:
                case JsonKind.Array: throw new FormatException($"a value should be a string (line {_line})");
                default: throw Unexpected();
            }
        }

        /// <summary>Passes over one value of any shape, checking that it is JSON and building nothing.</summary>
        [MethodImpl(Hot)]
        public void Skip(int depth)
        {
            if (depth > MaxDepth) throw Error("JSON nested too deeply");
            switch (Kind())
            {
                case JsonKind.String: SkipString(); return;
                case JsonKind.Number: NumberBytes(); return;
                case JsonKind.True: Expect("true"); return;
                case JsonKind.False: Expect("false"); return;
                case JsonKind.Null: Expect("null"); return;
                case JsonKind.Object:
                    if (!BeginObject(depth)) return;
                    do
                    {
                        NameBytesSkipped();
                        Colon();
                        Skip(depth + 1);
                    } while (NextMember());
                    return;
                case JsonKind.Array:
                    if (!BeginArray(depth)) return;
                    do Skip(depth + 1); while (NextItem());
                    return;
                default: throw Unexpected();
            }
        }

        private void NameBytesSkipped()
        {
            SkipWhitespace();
            if (Peek() != '"') throw Error("Expected a property name in double quotes");
            SkipString();
        }

        /// <summary>Only whitespace is left.</summary>
        public void End()
        {
            if (Kind() != JsonKind.End) throw Error("Unexpected text after the JSON value");
        }

        /// <summary>The one rule for a key given twice in one object: RFC 8259 leaves it undefined and readers disagree.</summary>
        public JsonParseException DuplicateKey(string name) =>
            Error($"The key \"{name}\" is given twice in one object; readers disagree about which one counts");

        public JsonParseException Error(string message) => new JsonParseException(message, _line, (int)(_before + _pos - _lineStart) + 1);

        private JsonParseException Unexpected()
        {
            if (AtEnd) return Error("Unexpected end of JSON");
            byte c = _buffer[_pos];
            return Error(c >= 0x20 && c < 0x7F ? $"Unexpected character '{(char)c}'" : $"Unexpected byte 0x{c:X2}");
        }

        // ------------------------------------------------------------------ tokens

        private const ulong SpaceWord = 0x2020202020202020UL, Ones = 0x0101010101010101UL, Highs = 0x8080808080808080UL;

        /// <summary>
        /// The end of a run of bytes that need nothing doing inside a string (no quote, backslash or control byte),
        /// eight at a time where the machine is little-endian: a word is passed whole when none of its bytes is one of
        /// those (the usual test for a zero byte, applied to the word XOR each mark, and to bytes below 0x20).
        /// </summary>
        [MethodImpl(Hot)]
        private static unsafe int PlainRun(byte[] buffer, int pos, int length)
        {
            fixed (byte* start = buffer)
            {
                byte* p = start + pos, end = start + length;
                if (BitConverter.IsLittleEndian)
                    while (p + 8 <= end)
                    {
                        ulong w = *(ulong*)p;
                        ulong quote = w ^ (Ones * '"'), slash = w ^ (Ones * '\\');
                        ulong marks = ((quote - Ones) & ~quote) | ((slash - Ones) & ~slash) | ((w - Ones * 0x20) & ~w);
                        if ((marks & Highs) != 0) break;
                        p += 8;
                    }
                while (p < end && *p != '"' && *p != '\\' && *p >= 0x20) p++;
                return (int)(p - start);
            }
        }

        /// <summary>The end of a run of spaces, eight at a time where eight are there (indentation comes in runs).</summary>
        [MethodImpl(Hot)]
        private static unsafe int Spaces(byte[] buffer, int pos, int length)
        {
            fixed (byte* start = buffer)
            {
                byte* p = start + pos, end = start + length;
                while (p + 8 <= end && *(ulong*)p == SpaceWord) p += 8;
                while (p < end && *p == ' ') p++;
                return (int)(p - start);
            }
        }

        /// <summary>A string's bytes, escapes resolved, into the scratch buffer; the reader is at its opening quote.</summary>
        [MethodImpl(Hot)]
        private void StringBytes()
        {
            _count = 0;
            _pos++; // opening quote
            while (true)
            {
                // The common case: a run of plain bytes inside the buffer, copied at once.
                int start = _pos;
                var buffer = _buffer;
                int length = _length;
                int pos = _pos;
                pos = PlainRun(buffer, pos, length);
                _pos = pos;
                if (pos > start) Append(buffer, start, pos - start);
                if (pos >= length)
                {
                    if (!Fill()) throw Error("A string is not closed");
                    continue;
                }
                byte c = buffer[_pos++];
                if (c == '"') return;
                if (c == '\\') Escape();
                else { _pos--; throw ControlInString(c); }
            }
        }

        private void Escape()
        {
            byte e = Take();
            char raw = e < 128 ? JsonEscapes.RawOf[e] : '\0';
            if (raw != '\0') { Append((byte)raw); return; }
            if (e != 'u') { _pos--; throw Error(e >= 0x20 && e < 0x7F ? $"Bad escape '\\{(char)e}'" : "Bad escape"); }
            int code = Hex4();
            if (code >= 0xD800 && code <= 0xDBFF)
            {
                // A character outside the BMP is written as two escapes; half of one is refused, as it is no character.
                if (Take() != '\\' || Take() != 'u') throw Error("A \\u escape holds half of a character (a lone surrogate)");
                int low = Hex4();
                if (low < 0xDC00 || low > 0xDFFF) throw Error("A \\u escape holds half of a character (a lone surrogate)");
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            }
            else if (code >= 0xDC00 && code <= 0xDFFF) throw Error("A \\u escape holds half of a character (a lone surrogate)");
            AppendCodePoint(code);
        }

        private int Hex4()
        {
            int code = 0;
            for (int i = 0; i < 4; i++)
            {
                byte h = Take();
                int v = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                if (v < 0) throw Error("Bad \\u escape");
                code = code * 16 + v;
            }
            return code;
        }

        private void AppendCodePoint(int code)
        {
            if (code < 0x80) Append((byte)code);
            else if (code < 0x800) { Append((byte)(0xC0 | code >> 6)); Append((byte)(0x80 | code & 0x3F)); }
            else if (code < 0x10000) { Append((byte)(0xE0 | code >> 12)); Append((byte)(0x80 | code >> 6 & 0x3F)); Append((byte)(0x80 | code & 0x3F)); }
            else
            {
                Append((byte)(0xF0 | code >> 18)); Append((byte)(0x80 | code >> 12 & 0x3F));
                Append((byte)(0x80 | code >> 6 & 0x3F)); Append((byte)(0x80 | code & 0x3F));
            }
        }

        [MethodImpl(Hot)]
        private void SkipString()
        {
            _pos++; // opening quote
            while (true)
            {
                var buffer = _buffer;
                int length = _length;
                int pos = _pos;
                pos = PlainRun(buffer, pos, length);
                _pos = pos;
                if (pos >= length)
                {
                    if (!Fill()) throw Error("A string is not closed");
                    continue;
                }
                byte c = buffer[_pos++];
                if (c == '"') return;
                if (c == '\\') { StringBytesEscapeSkipped(); continue; }
                _pos--;
                throw ControlInString(c);
            }
        }

        private void StringBytesEscapeSkipped()
        {
            int count = _count;
            Escape();
            _count = count;
        }

        private JsonParseException ControlInString(byte c) =>
            Error(c == '\n' ? "A string runs over the end of a line" : "Control character in a string");

        /// <summary>The scratch buffer as text; bytes that are not UTF-8 are refused.</summary>
        [MethodImpl(Hot)]
        private string Decode()
        {
            if (_count == 0) return "";
            try { return StrictUtf8.GetString(_scratch, 0, _count); }
            catch (DecoderFallbackException) { throw Error("A string is not UTF-8"); }
        }

        [MethodImpl(Hot)]
        private void NumberBytes()
        {
            _count = 0;
            if (Peek() == '-') Append(Take());
            if (!IsDigit(Peek())) throw Error("Bad number");
            if (Peek() == '0') Append(Take());
            else while (IsDigit(Peek())) Append(Take());
            if (Peek() == '.')
            {
                Append(Take());
                if (!IsDigit(Peek())) throw Error("Bad number");
                while (IsDigit(Peek())) Append(Take());
            }
            if (Peek() == 'e' || Peek() == 'E')
            {
                Append(Take());
                if (Peek() == '+' || Peek() == '-') Append(Take());
                if (!IsDigit(Peek())) throw Error("Bad number");
                while (IsDigit(Peek())) Append(Take());
            }
        }

        private static bool IsDigit(byte c) => c >= '0' && c <= '9';

        private void Expect(string word)
        {
            foreach (char w in word)
                if (Take() != w) { throw Error("Unexpected word"); }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Append(byte b)
        {
            if (_count == _scratch.Length) Array.Resize(ref _scratch, _scratch.Length * 2);
            _scratch[_count++] = b;
        }

        [MethodImpl(Hot)]
        private void Append(byte[] source, int start, int length)
        {
            if (_count + length > _scratch.Length) Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, _count + length));
            Buffer.BlockCopy(source, start, _scratch, _count, length);
            _count += length;
        }

        // ------------------------------------------------------------------ bytes

        private bool AtEnd => _pos >= _length && !Fill();

        /// <summary>The next byte, or 0 at the end (a 0 byte in the input is never valid JSON outside a string).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private byte Peek()
        {
            if (_pos < _length) return _buffer[_pos];
            return Fill() ? _buffer[_pos] : (byte)0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private byte Take()
        {
            byte c = Peek();
            if (_pos < _length) _pos++;
            return c;
        }

        /// <summary>At least <paramref name="n"/> bytes from the position are in the buffer, where the input has them.</summary>
        private bool Ensure(int n)
        {
            if (_length - _pos >= n) return true;
            if (_stream == null) return false;
            Buffer.BlockCopy(_buffer, _pos, _buffer, 0, _length - _pos);
            _before += _pos;
            _length -= _pos;
            _pos = 0;
            while (_length < n)
            {
                int read = _stream.Read(_buffer, _length, _buffer.Length - _length);
                if (read <= 0) return false;
                _length += read;
            }
            return true;
        }

        /// <summary>Reads the next block once the buffer is used up; false at the end of the input.</summary>
        private bool Fill()
        {
            if (_pos < _length) return true;
            if (_stream == null) return false;
            _before += _length;
            _pos = 0;
            _length = _stream.Read(_buffer, 0, _buffer.Length);
            if (_length > 0) return true;
            _length = 0;
            return false;
        }

        /// <summary>Passes whitespace; most calls find none, and return at once.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void SkipWhitespace()
        {
            if (_pos < _length && _buffer[_pos] > ' ') return;
            PassWhitespace();
        }

        [MethodImpl(Hot)]
        private void PassWhitespace()
        {
            while (true)
            {
                var buffer = _buffer;
                int length = _length;
                int pos = _pos;
                while (pos < length)
                {
                    byte p = buffer[pos];
                    if (p == ' ') pos = Spaces(buffer, pos + 1, length);
                    else if (p == '\t' || p == '\r') pos++;
                    else if (p == '\n') { pos++; _line++; _lineStart = _before + pos; }
                    else { _pos = pos; return; }
                }
                _pos = pos;
                if (!Fill()) return;
            }
        }

        /// <summary>Turns a stream that starts with a UTF-16 byte-order mark into UTF-8 as it is read; other streams pass as they are.</summary>
        private sealed class Utf16 : Stream
        {
            private readonly StreamReader _reader;
            private readonly Encoder _encoder = new UTF8Encoding(false, true).GetEncoder();
            private readonly char[] _chars = new char[1 << 14];

            private Utf16(StreamReader reader) { _reader = reader; }

            public static Stream ToUtf8(Stream stream)
            {
                var head = new byte[2];
                int n = 0;
                while (n < 2)
                {
                    int read = stream.Read(head, n, 2 - n);
                    if (read <= 0) break;
                    n += read;
                }
                var whole = new Prefixed(head, n, stream);
                bool utf16 = n == 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF));
                return utf16 ? new Utf16(new StreamReader(whole, Encoding.Unicode, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16)) : whole;
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                int chars = _reader.Read(_chars, 0, Math.Min(_chars.Length, count / 4));
                if (chars <= 0) return 0;
                try { return _encoder.GetBytes(_chars, 0, chars, buffer, offset, flush: false); }
                catch (EncoderFallbackException) { throw new JsonParseException("The text holds half of a character (a lone surrogate)", 1, 1); }
            }

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }

        /// <summary>The bytes read to look for a byte-order mark, then the rest of the stream.</summary>
        private sealed class Prefixed : Stream
        {
            private readonly byte[] _head;
            private readonly int _headLength;
            private readonly Stream _inner;
            private int _headPos;

            public Prefixed(byte[] head, int headLength, Stream inner) { _head = head; _headLength = headLength; _inner = inner; }

            public override int Read(byte[] buffer, int offset, int count)
            {
                if (_headPos < _headLength && count > 0)
                {
                    int n = Math.Min(count, _headLength - _headPos);
                    Buffer.BlockCopy(_head, _headPos, buffer, offset, n);
                    _headPos += n;
                    return n;
                }
                return _inner.Read(buffer, offset, count);
            }

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
