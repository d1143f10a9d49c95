using System.Net;
using SgNarrower.Rules;

namespace SgNarrower.Evidence
{
    /// <summary>
    /// The fewest-addresses cover of a set of addresses by at most k CIDR blocks, none broader than a limit: exact, by a
    /// dynamic programme over the compressed binary trie of the addresses. At each node (the longest common prefix of
    /// the addresses under it) the cover either is that one block, or splits into covers of its two subtrees with
    /// k1 + k2 blocks; best[node][k] is the least address space. O(n k^2) for n addresses.
    /// </summary>
    public static class CidrCover
    {
        /// <summary>Null when no cover of at most <paramref name="maxBlocks"/> blocks of <paramref name="minPrefix"/> or longer exists.</summary>
        public static IReadOnlyList<Cidr>? Cover(IEnumerable<IPAddress> addresses, int maxBlocks, int minPrefix)
        {
            if (maxBlocks < 1) throw new ArgumentOutOfRangeException(nameof(maxBlocks));
            var keys = addresses.Select(Key).Distinct().ToList();
            if (keys.Count == 0) return Array.Empty<Cidr>();
            bool v6 = keys[0].V6;
            if (keys.Any(k => k.V6 != v6)) throw new ArgumentException("All addresses must be of one family.");
            int width = v6 ? 128 : 32;
            keys.Sort((a, b) => a.Value.CompareTo(b.Value));
            var root = Build(keys.Select(k => k.Value).ToList(), 0, keys.Count - 1, width);
            var best = Solve(root, maxBlocks, minPrefix, width);
            int bestK = -1;
            for (int k = 1; k <= maxBlocks; k++)
                if (best[root][k].Reachable && (bestK < 0 || best[root][k].Size.CompareTo(best[root][bestK].Size) < 0)) bestK = k;
            if (bestK < 0) return null;
            var result = new List<Cidr>();
            Emit(root, bestK, best, result, v6, width);
            return result.OrderBy(c => c.ToString(), StringComparer.Ordinal).ToList();
        }

        /// <summary>The address space a list of blocks covers (for reporting and tests).</summary>
        public static U128 SizeOf(IEnumerable<Cidr> blocks) =>
            blocks.Aggregate(U128.Zero, (s, c) => s + U128.Pow2((c.IsIpv6 ? 128 : 32) - c.PrefixLength));

        private readonly struct AddressKey : IEquatable<AddressKey>
        {
            public AddressKey(U128 value, bool v6) { Value = value; V6 = v6; }
            public U128 Value { get; }
            public bool V6 { get; }
            public bool Equals(AddressKey o) => V6 == o.V6 && Value.Equals(o.Value);
            public override bool Equals(object? obj) => obj is AddressKey k && Equals(k);
            public override int GetHashCode() => Value.GetHashCode() ^ (V6 ? 1 : 0);
        }

        private static AddressKey Key(IPAddress a)
        {
            var bytes = a.GetAddressBytes();
            return new AddressKey(U128.FromBytes(bytes), bytes.Length == 16);
        }

        private sealed class Node
        {
            public U128 Prefix;     // the addresses' common bits, the rest zero
            public int Length;      // prefix length
            public Node? Left, Right;
            public bool IsLeaf => Left == null;
        }

        private static Node Build(List<U128> sorted, int lo, int hi, int width)
        {
            int common = sorted[lo].CommonPrefixLength(sorted[hi], width);
            var node = new Node { Length = common, Prefix = sorted[lo].Mask(common, width) };
            if (lo == hi) return node;
            // The first address whose bit after the common prefix is one.
            int split = lo + 1;
            while (split <= hi && !sorted[split].Bit(common, width)) split++;
            node.Left = Build(sorted, lo, split - 1, width);
            node.Right = Build(sorted, split, hi, width);
            return node;
        }

        private struct Best
        {
            public bool Reachable;
            public U128 Size;
            public int LeftBlocks;   // -1: the node's own block
        }

        private static Dictionary<Node, Best[]> Solve(Node root, int maxBlocks, int minPrefix, int width)
        {
            var best = new Dictionary<Node, Best[]>();
            // Post-order without recursion: tries of deep IPv6 prefixes can be tall.
            var stack = new Stack<(Node Node, bool Children)>();
            stack.Push((root, false));
            while (stack.Count > 0)
            {
                var (node, children) = stack.Pop();
                if (!node.IsLeaf && !children)
                {
                    stack.Push((node, true));
                    stack.Push((node.Left!, false));
                    stack.Push((node.Right!, false));
                    continue;
                }
                var row = new Best[maxBlocks + 1];
                if (node.Length >= minPrefix)
                    row[1] = new Best { Reachable = true, Size = U128.Pow2(width - node.Length), LeftBlocks = -1 };
                if (!node.IsLeaf)
                {
                    var l = best[node.Left!];
                    var r = best[node.Right!];
                    for (int k = 2; k <= maxBlocks; k++)
                        for (int k1 = 1; k1 < k; k1++)
                        {
                            if (!l[k1].Reachable || !r[k - k1].Reachable) continue;
                            var size = l[k1].Size + r[k - k1].Size;
                            if (!row[k].Reachable || size.CompareTo(row[k].Size) < 0) row[k] = new Best { Reachable = true, Size = size, LeftBlocks = k1 };
                        }
                }
                // Fewer blocks may be best for a larger budget too: best[k] holds the best with exactly k.
                best[node] = row;
            }
            return best;
        }

        private static void Emit(Node node, int k, Dictionary<Node, Best[]> best, List<Cidr> into, bool v6, int width)
        {
            var b = best[node][k];
            if (b.LeftBlocks < 0)
            {
                into.Add(Cidr.Parse(new IPAddress(node.Prefix.ToBytes(v6 ? 16 : 4)) + "/" + node.Length));
                return;
            }
            Emit(node.Left!, b.LeftBlocks, best, into, v6, width);
            Emit(node.Right!, k - b.LeftBlocks, best, into, v6, width);
        }
    }
}
