namespace SgNarrower.AwsApi
{
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
}
