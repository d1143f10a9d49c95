@{
    # Descriptions of the parameters that several cmdlets share (AWS.Tools names and meanings).
    Parameters = @{
        ProfileName     = 'The name of a profile in the shared AWS credentials and config files (or in -ProfileLocation). A profile that does not exist is an error; SgNarrower never falls back silently to other credentials. Tab completion lists the profiles.'
        ProfileLocation = 'The path of a credentials file to read profiles from instead of the shared files (~/.aws/credentials and ~/.aws/config).'
        AccessKey       = 'An AWS access key id. Give it with -SecretKey (and -SessionToken for temporary credentials). Without these, -ProfileName or the default chain (environment, AWS_PROFILE, default profile, container or instance role) is used.'
        SecretKey       = 'The secret access key that goes with -AccessKey.'
        SessionToken    = 'The session token of temporary credentials, with -AccessKey and -SecretKey.'
        EndpointUrl     = 'A service URL to call instead of the public AWS endpoint: a VPC interface endpoint, an S3-compatible store, or a local test server. The region is still used to sign requests.'
    }
}
