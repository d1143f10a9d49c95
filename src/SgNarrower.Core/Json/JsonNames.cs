using System.Runtime.CompilerServices;
using System.Text;

namespace SgNarrower.Json
{
    /// <summary>The member names a shape reader looks for, matched against a name's bytes (ASCII, any case).</summary>
    public sealed class JsonNames
    {
        // Candidates by length: a name read is compared with the few of its own length only.
        private readonly (byte[] Name, int Index)[][] _byLength;

        public JsonNames(IReadOnlyList<string> names)
        {
            int longest = names.Count == 0 ? 0 : names.Max(n => n.Length);
            _byLength = new (byte[], int)[longest + 1][];
            for (int length = 0; length <= longest; length++)
                _byLength[length] = names.Select((n, i) => (Encoding.ASCII.GetBytes(n), i)).Where(x => x.Item1.Length == length).ToArray();
        }

        /// <summary>The index of the name these bytes spell, ignoring ASCII case; -1 for any other name.</summary>
        [MethodImpl((MethodImplOptions)512)]
        public int Match(byte[] bytes, int start, int length)
        {
            if (length >= _byLength.Length) return -1;
            foreach (var (candidate, index) in _byLength[length])
            {
                int k = 0;
                for (; k < length; k++)
                {
                    int a = bytes[start + k], b = candidate[k];
                    if (a != b && ((a | 0x20) != (b | 0x20) || (b | 0x20) < 'a' || (b | 0x20) > 'z')) break;
                }
                if (k == length) return index;
            }
            return -1;
        }
    }
}
