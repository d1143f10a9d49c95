using System.Text.RegularExpressions;

namespace SgNarrower.AwsApi
{
    /// <summary>The shapes of AWS's own names, defined once: parameters, records and sessions check them the same way.</summary>
    public static class AwsNames
    {
        /// <summary>A 12-digit account id (a const, for ValidatePattern).</summary>
        public const string AccountIdPattern = "^[0-9]{12}\\z";

        /// <summary>Region names as AWS spells them: us-east-1, eu-central-2, us-gov-west-1, cn-north-1.</summary>
        public const string RegionPattern = "^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}\\z";

        public static readonly Regex AccountId = new Regex(AccountIdPattern, RegexOptions.CultureInvariant);
        public static readonly Regex Region = new Regex(RegionPattern, RegexOptions.CultureInvariant);

        /// <summary>aws, aws-cn or aws-us-gov, from the region's name: what ARNs of that region begin with.</summary>
        public static string Partition(string region) =>
            region.StartsWith("cn-", System.StringComparison.Ordinal) ? "aws-cn"
            : region.StartsWith("us-gov-", System.StringComparison.Ordinal) ? "aws-us-gov"
            : "aws";
    }
}
