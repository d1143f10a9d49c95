namespace SgNarrower.Evidence
{
    /// <summary>An unsigned 128-bit number: IPv6 addresses and address-space sizes, exact.</summary>
    public readonly struct U128 : IEquatable<U128>, IComparable<U128>
    {
        public U128(ulong hi, ulong lo) { Hi = hi; Lo = lo; }
        public ulong Hi { get; }
        public ulong Lo { get; }
        public static U128 Zero => default;

        public static U128 Pow2(int n) => n >= 128 ? new U128(ulong.MaxValue, ulong.MaxValue) : n >= 64 ? new U128(1UL << (n - 64), 0) : new U128(0, 1UL << n);

        public static U128 operator +(U128 a, U128 b)
        {
            ulong lo = a.Lo + b.Lo;
            ulong hi = a.Hi + b.Hi + (lo < a.Lo ? 1UL : 0UL);
            return new U128(hi, lo);
        }

        /// <summary>Left-aligned: an IPv4 address takes the low 32 bits' place in a 32-bit world, an IPv6 the whole.</summary>
        public static U128 FromBytes(byte[] bytes)
        {
            ulong hi = 0, lo = 0;
            if (bytes.Length == 4) { for (int i = 0; i < 4; i++) lo = (lo << 8) | bytes[i]; return new U128(0, lo); }
            for (int i = 0; i < 8; i++) hi = (hi << 8) | bytes[i];
            for (int i = 8; i < 16; i++) lo = (lo << 8) | bytes[i];
            return new U128(hi, lo);
        }

        public byte[] ToBytes(int length)
        {
            var b = new byte[length];
            if (length == 4) { for (int i = 0; i < 4; i++) b[i] = (byte)(Lo >> (24 - 8 * i)); return b; }
            for (int i = 0; i < 8; i++) b[i] = (byte)(Hi >> (56 - 8 * i));
            for (int i = 0; i < 8; i++) b[8 + i] = (byte)(Lo >> (56 - 8 * i));
            return b;
        }

        /// <summary>Bit i counted from the most significant bit of a <paramref name="width"/>-bit number.</summary>
        public bool Bit(int i, int width)
        {
            int fromLow = width - 1 - i;
            return fromLow >= 64 ? ((Hi >> (fromLow - 64)) & 1) != 0 : ((Lo >> fromLow) & 1) != 0;
        }

        public int CommonPrefixLength(U128 other, int width)
        {
            int n = 0;
            while (n < width && Bit(n, width) == other.Bit(n, width)) n++;
            return n;
        }

        public U128 Mask(int length, int width)
        {
            int clear = width - length;   // low bits to clear
            if (clear <= 0) return this;
            if (clear >= 128) return Zero;
            if (clear >= 64) return new U128(Hi & ~((1UL << (clear - 64)) - 1) & (clear == 128 ? 0 : ulong.MaxValue), 0);
            return new U128(Hi, Lo & ~((1UL << clear) - 1));
        }

        public int CompareTo(U128 other) => Hi != other.Hi ? Hi.CompareTo(other.Hi) : Lo.CompareTo(other.Lo);
        public bool Equals(U128 other) => Hi == other.Hi && Lo == other.Lo;
        public override bool Equals(object? obj) => obj is U128 u && Equals(u);
        public override int GetHashCode() => (Hi.GetHashCode() * 397) ^ Lo.GetHashCode();
        public override string ToString() => Hi == 0 ? Lo.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Hi}:{Lo}";
    }
}
