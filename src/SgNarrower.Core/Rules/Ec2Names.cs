using System.Text.RegularExpressions;

namespace SgNarrower.Rules
{
    /// <summary>The shapes of EC2's ids and the limit of a rule's description, defined once.</summary>
    public static class Ec2Names
    {
        /// <summary>A security group id as EC2 writes it: sg- and letters and digits.</summary>
        public static readonly Regex GroupId = new Regex("^sg-[0-9a-zA-Z]+$", RegexOptions.CultureInvariant);
        public static readonly Regex RuleId = new Regex("^sgr-[0-9a-zA-Z]+$", RegexOptions.CultureInvariant);
        public static readonly Regex PrefixListId = new Regex("^pl-[0-9a-zA-Z]+$", RegexOptions.CultureInvariant);

        /// <summary>EC2's limit for a rule's description.</summary>
        public const int MaxDescriptionLength = 255;
    }
}
