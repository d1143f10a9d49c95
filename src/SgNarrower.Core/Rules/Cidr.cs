using System.Net;
using System.Net.Sockets;

namespace SgNarrower.Rules
{
    /// <summary>An IPv4 or IPv6 CIDR block, normalised to its network address; read only in its one unambiguous form (<see cref="IpAddressText"/>).</summary>
    public readonly struct Cidr : IEquatable<Cidr>
    {
        private readonly byte[] _network;

        private Cidr(byte[] network, int prefixLength)
        {
            _network = network;
            PrefixLength = prefixLength;
        }

        public int PrefixLength { get; }
        public bool IsIpv6 => _network.Length == 16;

        public static bool TryParse(string? text, out Cidr cidr)
        {
            cidr = default;
            if (string.IsNullOrWhiteSpace(text) || !InputText.IsPlain(text)) return false;
            var parts = text!.Trim().Split('/');
            if (parts.Length != 2) return false;
            // Strictly: four decimal octets or RFC 4291 text, and a decimal prefix length without leading zeros.
            if (!IpAddressText.TryParse(parts[0], out var address)) return false;
            if (address.AddressFamily != AddressFamily.InterNetwork && address.AddressFamily != AddressFamily.InterNetworkV6) return false;
            int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            if (parts[1].Length == 0 || parts[1].Length > 3 || (parts[1].Length > 1 && parts[1][0] == '0')) return false;
            // Digits only: a number parser would read past a trailing NUL ("24\0" as 24).
            foreach (var c in parts[1]) if (c < '0' || c > '9') return false;
            if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > max) return false;
            var bytes = address.GetAddressBytes();
            for (int bit = prefix; bit < max; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            cidr = new Cidr(bytes, prefix);
            return true;
        }

        /// <summary>
        /// Whether <see cref="TryParse"/> reads the text. An IPv4 block, the common case in a large export, is checked
        /// without allocating anything; anything else is parsed.
        /// </summary>
        public static bool IsWellFormed(string text)
        {
            int slash = text.IndexOf('/');
            if (slash <= 0 || text.IndexOf(':') >= 0 || char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[text.Length - 1]))
                return TryParse(text, out _);
            int digits = text.Length - slash - 1, prefix = 0;
            if (digits < 1 || digits > 2 || (digits == 2 && text[slash + 1] == '0')) return false;
            for (int i = slash + 1; i < text.Length; i++)
            {
                if (text[i] < '0' || text[i] > '9') return false;
                prefix = prefix * 10 + (text[i] - '0');
            }
            return prefix <= 32 && IpAddressText.IsIpv4(text, 0, slash);
        }

        public static Cidr Parse(string text) =>
            TryParse(text, out var c) ? c : throw new FormatException($"'{text}' is not an IPv4 or IPv6 CIDR block (like 203.0.113.0/24 or 2001:db8::/32): IPv4 as four decimal octets without leading zeros, IPv6 in RFC 4291 text, a decimal prefix length.");

        /// <summary>True for 0.0.0.0/0 and ::/0.</summary>
        public bool IsWorld => PrefixLength == 0;

        /// <summary>True where every address of <paramref name="inner"/> is in this block (same family, at least as long a prefix).</summary>
        public bool Contains(Cidr inner)
        {
            if (inner.IsIpv6 != IsIpv6 || inner.PrefixLength < PrefixLength) return false;
            for (int bit = 0; bit < PrefixLength; bit++)
            {
                int mask = 0x80 >> (bit % 8);
                if ((_network[bit / 8] & mask) != (inner._network[bit / 8] & mask)) return false;
            }
            return true;
        }

        /// <summary>True where the text names the network address itself (no host bits set), as EC2 wants it.</summary>
        public static bool IsNetworkAddress(string text) =>
            TryParse(text, out var c) && IpAddressText.TryParse(text.Trim().Split('/')[0], out var a) && a.Equals(new IPAddress(c._network));

        public bool Equals(Cidr other)
        {
            if (PrefixLength != other.PrefixLength || _network.Length != other._network.Length) return false;
            for (int i = 0; i < _network.Length; i++) if (_network[i] != other._network[i]) return false;
            return true;
        }

        public override bool Equals(object? obj) => obj is Cidr c && Equals(c);

        public override int GetHashCode()
        {
            int h = PrefixLength;
            foreach (var b in _network) h = h * 31 + b;
            return h;
        }

        public override string ToString() => new IPAddress(_network).ToString() + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);
    }
}
