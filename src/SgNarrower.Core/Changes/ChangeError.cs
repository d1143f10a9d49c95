using SgNarrower.AwsApi;

namespace SgNarrower.Changes
{
    /// <summary>An error to report for a rule (non-terminating): stable id, kind, message, and the rule's result as target.</summary>
    /// <param name="Target">The rule's result: what the error record names as its target.</param>
    public sealed record ChangeError(string ErrorId, FailureKind Kind, string Message, IngressRuleChange Target, Exception? Exception);
}
