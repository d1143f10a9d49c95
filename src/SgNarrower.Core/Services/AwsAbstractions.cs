using System;
using System.Collections.Generic;

namespace SgNarrower.Services
{
    /// <summary>How to reach AWS: the AWS.Tools-style options a cmdlet takes.</summary>
    public sealed class AwsConnection
    {
        public string? ProfileName { get; set; }
        public string? ProfileLocation { get; set; }
        public string? AccessKey { get; set; }
        public string? SecretKey { get; set; }
        public string? SessionToken { get; set; }
        /// <summary>A service URL to use instead of AWS's (VPC endpoints, S3-compatible stores, tests).</summary>
        public string? EndpointUrl { get; set; }
        /// <summary>For commands that call both EC2 and S3: the S3 URL, where it differs from <see cref="EndpointUrl"/>.</summary>
        public string? S3EndpointUrl { get; set; }
        /// <summary>The share (0-1] of each of EC2's per-account, per-region token buckets this command may use.</summary>
        public double RateShare { get; set; } = 1.0;
        /// <summary>How long one call may keep waiting out throttling (RequestLimitExceeded) before it fails.</summary>
        public TimeSpan ThrottlePatience { get; set; } = TimeSpan.FromMinutes(3);
    }

    /// <summary>A role to assume in another account.</summary>
    public sealed class RoleRequest
    {
        public RoleRequest(string accountId, string roleName, string? externalId, string sessionName)
        {
            AccountId = accountId;
            RoleName = roleName;
            ExternalId = externalId;
            SessionName = sessionName;
        }
        public string AccountId { get; }
        public string RoleName { get; }
        public string? ExternalId { get; }
        /// <summary>2-64 characters of [\w+=,.@-]: names the run in CloudTrail.</summary>
        public string SessionName { get; }

        /// <summary>arn:&lt;partition&gt;:iam::&lt;account&gt;:role/&lt;name&gt;, the partition from the region.</summary>
        public string RoleArn(string region) => $"arn:{AwsNames.Partition(region)}:iam::{AccountId}:role/{RoleName}";
    }

    /// <summary>The seam between the module and the AWS SDK; implemented in SgNarrower.Aws, loaded in its own context.</summary>
    public interface IAwsClientFactory
    {
        /// <summary>Resolves credentials once for a command; throws <see cref="AwsSetupException"/> when there are none.</summary>
        IAwsSession CreateSession(AwsConnection connection);

        /// <summary>Region names the SDK knows, for tab completion.</summary>
        IReadOnlyList<string> KnownRegions { get; }

        /// <summary>Profile names in the shared files (or the given file), for tab completion.</summary>
        IReadOnlyList<string> ListProfiles(string? profileLocation);
    }

    /// <summary>
    /// Credentials resolved once, and clients built once per region for the life of one command. Each (account,
    /// region) has its own pacing, shaped like EC2's token buckets. Safe to use from several threads.
    /// </summary>
    public interface IAwsSession : IDisposable
    {
        /// <summary>The region from the default chain (AWS_REGION, profile), or null when none is configured.</summary>
        string? DefaultRegion { get; }
        IEc2Api Ec2(string region);
        IS3Api S3(string region);

        /// <summary>The account the credentials belong to (sts:GetCallerIdentity, asked once).</summary>
        string AccountId(string region);

        /// <summary>
        /// A session in another account, by assuming arn:&lt;partition&gt;:iam::&lt;account&gt;:role/&lt;name&gt; with these
        /// credentials. Its credentials are refreshed before they expire. Throws <see cref="AwsServiceException"/>
        /// (service sts, action AssumeRole) when the role cannot be assumed.
        /// </summary>
        IAwsSession AssumeRole(RoleRequest role, string region);
    }

    public sealed class PutObjectSpec
    {
        public string Bucket { get; set; } = "";
        public string Key { get; set; } = "";
        public byte[] Body { get; set; } = Array.Empty<byte>();
        public string ContentType { get; set; } = "application/octet-stream";
        /// <summary>AES256, aws:kms, or null for none.</summary>
        public string? ServerSideEncryption { get; set; }
        public string? KmsKeyId { get; set; }
        public string? ExpectedBucketOwner { get; set; }
        /// <summary>Send If-None-Match: * so that an existing object is never overwritten.</summary>
        public bool IfNoneMatch { get; set; } = true;
    }

    public sealed class PutObjectResult
    {
        public string? ETag { get; set; }
        public string? VersionId { get; set; }
    }

    /// <summary>The S3 calls SgNarrower makes.</summary>
    public interface IS3Api
    {
        string Region { get; }
        /// <summary>Writes one whole object with checksums (Content-MD5 and SHA-256), unchunked.</summary>
        PutObjectResult PutObject(PutObjectSpec spec);
        byte[] GetObject(string bucket, string key, string? expectedBucketOwner);
        /// <summary>One page of ListObjectsV2 under a prefix.</summary>
        Page<string> ListKeys(string bucket, string prefix, string? continuationToken);
        /// <summary>The object's body as a stream, read as it arrives (flow logs are large).</summary>
        System.IO.Stream OpenObject(string bucket, string key);
    }

    public sealed class Page<T>
    {
        public Page(IReadOnlyList<T> items, string? nextToken)
        {
            Items = items;
            NextToken = string.IsNullOrEmpty(nextToken) ? null : nextToken;
        }
        public IReadOnlyList<T> Items { get; }
        public string? NextToken { get; }
    }

    public sealed class GroupQuery
    {
        public IReadOnlyList<string> GroupIds { get; set; } = Array.Empty<string>();
        public IReadOnlyList<string> VpcIds { get; set; } = Array.Empty<string>();
        public int PageSize { get; set; } = 1000;
    }

    /// <summary>The EC2 calls SgNarrower makes, in its own types.</summary>
    public interface IEc2Api
    {
        string Region { get; }
        /// <summary>One page of DescribeSecurityGroups (scoped by filters, so that paging works with group ids too).</summary>
        Page<SecurityGroupSnapshot> DescribeSecurityGroups(GroupQuery query, string? nextToken);
        /// <summary>One page of DescribeSecurityGroupRules for the given groups (at most 200 ids per call).</summary>
        Page<SecurityGroupRuleInfo> DescribeSecurityGroupRules(IReadOnlyList<string> groupIds, int pageSize, string? nextToken);

        /// <summary>RevokeSecurityGroupIngress by rule ids, in one call; returns the ids EC2 says it revoked.</summary>
        IReadOnlyList<string> RevokeIngress(string groupId, IReadOnlyList<string> ruleIds);

        /// <summary>AuthorizeSecurityGroupIngress in one call, tagging the new rules; returns the rules EC2 created.</summary>
        IReadOnlyList<SecurityGroupRuleInfo> AuthorizeIngress(string groupId, IReadOnlyList<RuleGrant> grants, IReadOnlyDictionary<string, string>? tags);

        /// <summary>CreateTags on rules (sgr-...): adds the tags, or overwrites the value of a key that is there.</summary>
        void TagRules(IReadOnlyList<string> ruleIds, IReadOnlyDictionary<string, string> tags);

        /// <summary>ModifySecurityGroupRules in one call: each rule, by id, becomes the given rule (it keeps its id and tags).</summary>
        void ModifyIngress(string groupId, IReadOnlyList<KeyValuePair<string, RuleGrant>> changes);

        /// <summary>One page of DescribeNetworkInterfaces for the interfaces that carry any of these groups (at most 200 ids).</summary>
        Page<NetworkInterfaceInfo> DescribeNetworkInterfaces(IReadOnlyList<string> groupIds, string? nextToken);

        /// <summary>One page of DescribeRouteTables for these VPCs (at most 200 ids).</summary>
        Page<RouteTableInfo> DescribeRouteTables(IReadOnlyList<string> vpcIds, string? nextToken);

        /// <summary>DescribeManagedPrefixLists for these ids (at most 200).</summary>
        IReadOnlyList<PrefixListInfo> DescribeManagedPrefixLists(IReadOnlyList<string> prefixListIds);

        /// <summary>One page of GetManagedPrefixListEntries (100 entries a page).</summary>
        Page<string> GetManagedPrefixListEntries(string prefixListId, string? nextToken);

        /// <summary>DescribeRegions: the regions enabled for the account.</summary>
        IReadOnlyList<string> DescribeRegions();
    }

    /// <summary>One ingress rule to grant: what it allows, and its description.</summary>
    public sealed class RuleGrant
    {
        public RuleGrant(RuleIdentity identity, string? description)
        {
            Identity = identity;
            Description = description;
        }
        public RuleIdentity Identity { get; }
        public string? Description { get; }
        public override string ToString() => Identity.ToString();
    }

    /// <summary>A setup problem found before any work: no credentials, a missing profile, an unknown region.</summary>
    public sealed class AwsSetupException : Exception
    {
        public AwsSetupException(string errorId, string message, Exception? inner = null) : base(message, inner) { ErrorId = errorId; }
        public string ErrorId { get; }
    }

    /// <summary>An error from an AWS service call, in our terms.</summary>
    public sealed class AwsServiceException : Exception
    {
        public AwsServiceException(string service, string action, string errorCode, string message, int statusCode, Exception? inner = null)
            : base(message, inner)
        {
            Service = service;
            Action = action;
            ErrorCode = errorCode;
            StatusCode = statusCode;
        }
        /// <summary>"ec2" or "s3": the IAM service prefix.</summary>
        public string Service { get; }
        /// <summary>The API action, e.g. DescribeSecurityGroups.</summary>
        public string Action { get; }
        /// <summary>AWS's error code, e.g. UnauthorizedOperation, or "ConnectionFailure" when no answer came.</summary>
        public string ErrorCode { get; }
        public int StatusCode { get; }

        /// <summary>An earlier attempt of this call got no reply: this error may answer that attempt's own effect.</summary>
        public bool AfterLostReply { get; set; }

        /// <summary>
        /// Whether the call may have been applied: no reply came (a dropped connection, a timeout, a 5xx), or this
        /// error answers a retry of an attempt that got none. Any other error is EC2 saying the call changed nothing.
        /// </summary>
        public bool OutcomeUnknown => AfterLostReply || ErrorCode == "ConnectionFailure" || StatusCode >= 500;
    }
}
