using SgNarrower.Rules;

namespace SgNarrower.Provenance
{
    /// <summary>
    /// One CloudTrail record that opened or changed ingress rules of a group (AuthorizeSecurityGroupIngress,
    /// ModifySecurityGroupRules), and who made the call, when, from where.
    /// </summary>
    public sealed record RuleEvent
    {
        public string EventName { get; init; } = "";
        public DateTimeOffset EventTime { get; init; }
        /// <summary>The account the call acted in (recipientAccountId).</summary>
        public string? Account { get; init; }
        public string? Region { get; init; }
        public string? GroupId { get; init; }
        /// <summary>userIdentity.arn: the principal (for an assumed role, its session).</summary>
        public string? PrincipalArn { get; init; }
        /// <summary>userIdentity.type: IAMUser, AssumedRole, Root, FederatedUser, AWSService...</summary>
        public string? PrincipalType { get; init; }
        /// <summary>For an assumed role: the role the session was issued by (sessionContext.sessionIssuer.arn).</summary>
        public string? Issuer { get; init; }
        /// <summary>The AWS service that made the call for the principal (invokedBy: cloudformation.amazonaws.com...).</summary>
        public string? InvokedBy { get; init; }
        public string? SourceIp { get; init; }
        public string? UserAgent { get; init; }
        /// <summary>Rules the call made or edited, each by id where the record names one and by what it allows where it can be read.</summary>
        public IReadOnlyList<(string? RuleId, RuleIdentity? Identity)> Rules { get; init; } = Array.Empty<(string?, RuleIdentity?)>();
        /// <summary>Where the record was read (a file or an object), for messages.</summary>
        public string Source { get; init; } = "";

        /// <summary>How the call was made, in a few words: the call, and the service or the console it came through.</summary>
        public string How
        {
            get
            {
                var through = InvokedBy != null ? $" through {InvokedBy}"
                    : UserAgent != null && UserAgent.IndexOf("console", StringComparison.OrdinalIgnoreCase) >= 0 ? " in the console"
                    : "";
                return EventName + through;
            }
        }

        /// <summary>Where the call came from: the source address, or the service that made it.</summary>
        public string? From => SourceIp;
    }
}
