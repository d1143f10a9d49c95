using System.Text.RegularExpressions;

namespace SgNarrower.Rules
{
    /// <summary>The shapes of EC2's ids and the limit of a rule's description, defined once.</summary>
    public static class Ec2Names
    {
        /// <summary>A security group id as EC2 writes it: sg- and letters and digits.</summary>
        public static readonly Regex GroupId = new Regex("^sg-[0-9a-zA-Z]+\\z", RegexOptions.CultureInvariant);
        public static readonly Regex RuleId = new Regex("^sgr-[0-9a-zA-Z]+\\z", RegexOptions.CultureInvariant);
        public static readonly Regex PrefixListId = new Regex("^pl-[0-9a-zA-Z]+\\z", RegexOptions.CultureInvariant);

        /// <summary>EC2's limit for a rule's description.</summary>
        public const int MaxDescriptionLength = 255;

        /// <summary>
        /// The characters EC2 takes in a rule's description (API Reference, IpRange.Description: "a-z, A-Z, 0-9, spaces,
        /// and ._-:/()#,@[]+=&amp;;{}!$*"); anything else is InvalidParameterValue.
        /// </summary>
        public const string DescriptionPunctuation = "._-:/()#,@[]+=&;{}!$*";

        /// <summary>Whether EC2 takes this as a rule's description: at most 255 characters, each of the set above.</summary>
        public static bool IsDescription(string? text) => DescriptionProblem(text) == null;

        /// <summary>Why EC2 would refuse this description, or null when it takes it.</summary>
        public static string? DescriptionProblem(string? text)
        {
            if (text == null) return null;
            if (text.Length > MaxDescriptionLength) return $"it has {text.Length} characters; EC2 takes at most {MaxDescriptionLength}";
            for (int i = 0; i < text.Length; i++)
            {
                var c = text[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' || DescriptionPunctuation.IndexOf(c) >= 0;
                if (!ok) return $"its character '{InputText.Visible(c.ToString())}' (U+{(int)c:X4}, position {i + 1}) is not one EC2 takes in a rule description (a-z, A-Z, 0-9, space and {DescriptionPunctuation})";
            }
            return null;
        }
    }
}
