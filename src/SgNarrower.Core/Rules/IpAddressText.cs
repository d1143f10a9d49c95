using System.Net;

namespace SgNarrower.Rules
{
    /// <summary>
    /// Reads an IP address only in the one form every reader agrees on. IPv4: four decimal octets, 0-255, without
    /// leading zeros (inet_aton, and .NET's IPAddress.Parse with it, read <c>010.1.2.0</c> as 8.1.2.0, <c>10.1</c> as
    /// 10.0.0.1, <c>0x0a...</c> as hex). IPv6: RFC 4291 text, groups of 1-4 hex digits with at most one <c>::</c> and
    /// an optional dotted IPv4 tail, no zone and no brackets. AWS writes these forms; anything else is refused, never
    /// reinterpreted.
    /// </summary>
    public static class IpAddressText
    {
        public static bool TryParse(string? text, out IPAddress address)
        {
            address = IPAddress.None;
            if (string.IsNullOrEmpty(text) || !InputText.IsPlain(text)) return false;
            bool ok = text!.IndexOf(':') >= 0 ? IsIpv6(text) : IsIpv4(text, 0, text.Length);
            if (!ok || !IPAddress.TryParse(text, out var parsed)) return false;
            address = parsed;
            return true;
        }

        /// <summary>Four decimal octets in text[from, to): each 0-255, one to three digits, no leading zero.</summary>
        internal static bool IsIpv4(string text, int from, int to)
        {
            int octets = 0, i = from;
            while (true)
            {
                int start = i, value = 0;
                while (i < to && text[i] >= '0' && text[i] <= '9' && i - start < 3) value = value * 10 + (text[i++] - '0');
                int digits = i - start;
                if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return false;
                octets++;
                if (i == to) return octets == 4;
                if (text[i] != '.' || octets == 4) return false;
                i++;
            }
        }

        private static bool IsIpv6(string text)
        {
            // An IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
            int lastColon = text.LastIndexOf(':');
            if (text.IndexOf('.', lastColon + 1) >= 0)
            {
                if (!IsIpv4(text, lastColon + 1, text.Length)) return false;
                text = text.Substring(0, lastColon + 1) + "0:0";
            }
            var halves = text.Split(new[] { "::" }, StringSplitOptions.None);
            if (halves.Length > 2) return false;
            int groups = 0;
            foreach (var half in halves)
            {
                if (half.Length == 0) continue;
                foreach (var group in half.Split(':'))
                {
                    if (group.Length == 0 || group.Length > 4) return false;
                    foreach (char c in group) if (!Uri.IsHexDigit(c)) return false;
                    groups++;
                }
            }
            return halves.Length == 2 ? groups <= 7 : groups == 8;
        }
    }
}
