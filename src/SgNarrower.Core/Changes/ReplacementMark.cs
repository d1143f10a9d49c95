using SgNarrower.Rules;

namespace SgNarrower.Changes
{
    /// <summary>
    /// The description a rule narrowing adds or edits carries: "SgNarrower: replaces &lt;source&gt; (&lt;rule id&gt;)",
    /// written and recognised here only. It tells an admin reading the group where the rule came from; which run owns it
    /// is in its tags (<see cref="RuleTags"/>).
    /// </summary>
    public static class ReplacementMark
    {
        private const string Prefix = "SgNarrower: replaces ";

        /// <summary>The description of a rule that replaces these open rules (each "source (id)"), cut to what EC2 holds.</summary>
        public static string Description(IEnumerable<string> replaced) => Cut(Prefix + string.Join(", ", replaced.Distinct(StringComparer.Ordinal)));

        /// <summary>How one open rule is named in a replacement's description.</summary>
        public static string Replaced(RuleSource openSource, string? ruleId) => openSource + (ruleId != null ? $" ({ruleId})" : "");

        /// <summary>Whether a description says its rule replaces an open rule with this source.</summary>
        public static bool Replaces(string? description, RuleSource openSource) =>
            (description ?? "").StartsWith(Prefix + openSource, StringComparison.Ordinal);

        private static string Cut(string text) => text.Length > Ec2Names.MaxDescriptionLength ? text.Substring(0, Ec2Names.MaxDescriptionLength) : text;
    }
}
