namespace SgNarrower.Json
{
    /// <summary>
    /// A whole JSON document as values (RFC 8259), read by <see cref="JsonTokenReader"/>: objects become
    /// <see cref="JsonObject"/>, arrays <see cref="List{T}"/> of object, strings string, numbers <see cref="JsonNumber"/>,
    /// true/false bool, null null. The core has no dependencies so that it loads unchanged in Windows PowerShell 5.1
    /// and PowerShell 7.
    /// </summary>
    public static class JsonParser
    {
        public static object? Parse(string text) => Parse(JsonTokenReader.OfText(text));

        /// <summary>A document given as its UTF-8 bytes.</summary>
        public static object? Parse(byte[] utf8) => Parse(new JsonTokenReader(utf8));

        private static object? Parse(JsonTokenReader json)
        {
            var value = ReadValue(json, 0);
            json.End();
            return value;
        }

        /// <summary>The next value of a streamed document as values (one record of a large file), the reader then past it.</summary>
        public static object? ReadValue(JsonTokenReader json) => ReadValue(json, 1);

        private static object? ReadValue(JsonTokenReader json, int depth)
        {
            switch (json.Kind())
            {
                case JsonKind.Object:
                {
                    var obj = new JsonObject();
                    if (json.BeginObject(depth))
                        do
                        {
                            var name = json.ReadName();
                            // Names compare as PowerShell compares them (any case): "a" and "A" are one key given twice.
                            if (obj.ContainsKey(name)) throw json.DuplicateKey(name);
                            obj[name] = ReadValue(json, depth + 1);
                        } while (json.NextMember());
                    return obj;
                }
                case JsonKind.Array:
                {
                    var list = new List<object?>();
                    if (json.BeginArray(depth))
                        do list.Add(ReadValue(json, depth + 1)); while (json.NextItem());
                    return list;
                }
                case JsonKind.String: return json.ReadString();
                case JsonKind.Number: return new JsonNumber(json.ReadNumber());
                default: return json.ReadLiteral();
            }
        }
    }
}
