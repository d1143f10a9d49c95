using System.Collections.Concurrent;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using SgNarrower.AwsApi;

namespace SgNarrower.AwsSdk
{
    /// <summary>Builds sessions: credentials resolved once, one client per region and service.</summary>
    public sealed class AwsClientFactory : IAwsClientFactory
    {
        public IAwsSession CreateSession(AwsConnection connection)
        {
            var credentials = ResolveCredentials(connection, out string? profileRegion);
            return new AwsSession(connection, credentials, profileRegion, ConfiguredEndpoints.FromProfile(connection));
        }

        public IReadOnlyList<string> KnownRegions =>
            RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).OrderBy(n => n, StringComparer.Ordinal).ToList();

        public IReadOnlyList<string> ListProfiles(string? profileLocation)
        {
            try
            {
                return new CredentialProfileStoreChain(string.IsNullOrEmpty(profileLocation) ? null : profileLocation)
                    .ListProfiles().Select(p => p.Name).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
            }
            catch (Exception)
            {
                return Array.Empty<string>();
            }
        }

        private static AWSCredentials ResolveCredentials(AwsConnection c, out string? profileRegion)
        {
            profileRegion = null;
            if (!string.IsNullOrEmpty(c.AccessKey) || !string.IsNullOrEmpty(c.SecretKey))
            {
                if (string.IsNullOrEmpty(c.AccessKey) || string.IsNullOrEmpty(c.SecretKey))
                    throw new AwsSetupException("IncompleteCredentials", "-AccessKey and -SecretKey go together: give both, or neither to use a profile or the default chain.");
                return string.IsNullOrEmpty(c.SessionToken)
                    ? new BasicAWSCredentials(c.AccessKey, c.SecretKey)
                    : (AWSCredentials)new SessionAWSCredentials(c.AccessKey, c.SecretKey, c.SessionToken);
            }

            if (!string.IsNullOrEmpty(c.ProfileName) || !string.IsNullOrEmpty(c.ProfileLocation))
            {
                var name = string.IsNullOrEmpty(c.ProfileName) ? "default" : c.ProfileName!;
                var chain = new CredentialProfileStoreChain(string.IsNullOrEmpty(c.ProfileLocation) ? null : c.ProfileLocation);
                if (!chain.TryGetProfile(name, out var profile) || !chain.TryGetAWSCredentials(name, out var fromProfile))
                {
                    var where = string.IsNullOrEmpty(c.ProfileLocation) ? "the shared credentials and config files" : c.ProfileLocation;
                    throw new AwsSetupException("ProfileNotFound",
                        $"No AWS profile named '{name}' was found in {where}. Check the name with 'aws configure list-profiles', or leave -ProfileName out to use the default chain.");
                }
                profileRegion = profile.Region?.SystemName;
                return fromProfile;
            }

            try
            {
                return DefaultAWSCredentialsIdentityResolver.GetCredentials(null)
                    ?? throw new AmazonClientException("The default chain returned nothing.");
            }
            catch (AmazonClientException e)
            {
                throw new AwsSetupException("NoCredentials",
                    "No AWS credentials were found. Pass -ProfileName (or -AccessKey and -SecretKey), set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where an instance or task role is available. " + e.Message, e);
            }
        }


        internal static void ValidateRegion(string region)
        {
            if (string.IsNullOrWhiteSpace(region))
                throw new AwsSetupException("UnknownRegion", "The region is empty. Give a region name such as us-east-1.");
            // The SDK also knows pseudo-regions such as us-east-1-regional and aws-global (endpoints of S3 and STS):
            // they are not regions one scans, so only names of the regions' own shape pass.
            if (!AwsNames.Region.IsMatch(region))
                throw new AwsSetupException("UnknownRegion",
                    $"'{region}' is not an AWS region name. Use a name such as us-east-1 or eu-west-2 ('Get-AWSRegion' or 'aws ec2 describe-regions' lists them).");
        }

        private sealed class AwsSession : IAwsSession
        {
            private readonly AwsConnection _connection;
            private readonly AWSCredentials _credentials;
            private readonly ConcurrentDictionary<string, Lazy<Ec2Api>> _ec2 = new ConcurrentDictionary<string, Lazy<Ec2Api>>(StringComparer.Ordinal);
            private readonly ConcurrentDictionary<string, Lazy<S3Api>> _s3 = new ConcurrentDictionary<string, Lazy<S3Api>>(StringComparer.Ordinal);
            private readonly ConcurrentDictionary<string, Lazy<KmsApi>> _kms = new ConcurrentDictionary<string, Lazy<KmsApi>>(StringComparer.Ordinal);
            private readonly ConcurrentDictionary<string, CallPolicy> _policies = new ConcurrentDictionary<string, CallPolicy>(StringComparer.Ordinal);
            private readonly List<AwsSession> _children = new List<AwsSession>();
            private string? _accountId;
            private readonly string? _profileEndpoint;

            public AwsSession(AwsConnection connection, AWSCredentials credentials, string? profileRegion, string? profileEndpoint, string? accountId = null)
            {
                _connection = connection;
                _profileEndpoint = profileEndpoint;
                _credentials = credentials;
                _accountId = accountId;
                DefaultRegion = profileRegion ?? ResolveDefaultRegion();
            }

            public string? DefaultRegion { get; }

            public IEc2Api Ec2(string region)
            {
                ValidateRegion(region);
                // One pacer per (account, region): this session is one account.
                var policy = _policies.GetOrAdd(region, _ => new CallPolicy(_connection.RateShare, _connection.Patience));
                return _ec2.GetOrAdd(region, r => new Lazy<Ec2Api>(() => new Ec2Api(r, _credentials, SdkConfig.Ec2(r, _connection.EndpointUrl ?? ConfiguredEndpoints.For("EC2", _profileEndpoint)), policy, () => _accountId))).Value;
            }

            public IS3Api S3(string region)
            {
                ValidateRegion(region);
                return _s3.GetOrAdd(region, r => new Lazy<S3Api>(() => new S3Api(r, _credentials, _connection.S3EndpointUrl ?? _connection.EndpointUrl ?? ConfiguredEndpoints.For("S3", _profileEndpoint)))).Value;
            }

            public IKmsApi Kms(string region)
            {
                ValidateRegion(region);
                // -EndpointUrl is EC2's; KMS is where the SDK's own configuration puts it (AWS_ENDPOINT_URL_KMS,
                // AWS_ENDPOINT_URL, a profile's endpoint_url), else at -EndpointUrl too (one emulator for everything).
                return _kms.GetOrAdd(region, r => new Lazy<KmsApi>(() => new KmsApi(r, _credentials, ConfiguredEndpoints.Configured("KMS")
                    ? ConfiguredEndpoints.For("KMS", _profileEndpoint) : _profileEndpoint ?? _connection.EndpointUrl))).Value;
            }

            public string AccountId(string region)
            {
                if (_accountId != null) return _accountId;
                ValidateRegion(region);
                using var sts = new AmazonSecurityTokenServiceClient(_credentials, SdkConfig.Sts(region, ConfiguredEndpoints.For("STS", _profileEndpoint)));
                var who = SdkCalls.Run("sts", "GetCallerIdentity", () => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
                return _accountId = who.Account;
            }

            public IAwsSession AssumeRole(RoleRequest role, string region)
            {
                ValidateRegion(region);
                var arn = role.RoleArn(region);
                var credentials = new AssumedRoleCredentials(_credentials, SdkConfig.Sts(region, ConfiguredEndpoints.For("STS", _profileEndpoint)), arn, role.SessionName, role.ExternalId);
                try
                {
                    // Asked now, so that a role that cannot be assumed is one error for its account, before any work there.
                    credentials.GetCredentials();
                }
                catch (AwsServiceException e)
                {
                    throw new AwsServiceException("sts", "AssumeRole", e.ErrorCode,
                        $"Could not assume {arn} (session {role.SessionName}): {e.Message}", e.StatusCode, e);
                }
                var child = new AwsSession(_connection, credentials, DefaultRegion, _profileEndpoint, role.AccountId);
                lock (_children) _children.Add(child);
                return child;
            }

            public void Dispose()
            {
                foreach (var c in _ec2.Values) if (c.IsValueCreated) c.Value.Dispose();
                foreach (var c in _s3.Values) if (c.IsValueCreated) c.Value.Dispose();
                foreach (var c in _kms.Values) if (c.IsValueCreated) c.Value.Dispose();
                foreach (var p in _policies.Values) p.Dispose();
                lock (_children) foreach (var child in _children) child.Dispose();
                _ec2.Clear();
                _s3.Clear();
                _kms.Clear();
                _policies.Clear();
            }

            private static string? ResolveDefaultRegion()
            {
                var env = Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
                if (!string.IsNullOrWhiteSpace(env)) return env!.Trim();
                try
                {
                    var profileName = Environment.GetEnvironmentVariable("AWS_PROFILE") ?? "default";
                    if (new CredentialProfileStoreChain().TryGetProfile(profileName, out var profile) && profile.Region != null)
                        return profile.Region.SystemName;
                }
                catch (Exception)
                {
                    // An unreadable config file means no default region; the caller asks for -Region.
                }
                return null;
            }
        }
    }
}
