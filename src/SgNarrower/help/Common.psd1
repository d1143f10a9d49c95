@{
    # Descriptions of the parameters that several cmdlets share (AWS.Tools names and meanings).
    Parameters = @{
        ProfileName     = 'The name of a profile in the shared AWS credentials and config files (or in -ProfileLocation). A profile that does not exist is an error; SgNarrower never falls back silently to other credentials. Tab completion lists the profiles.'
        ProfileLocation = 'The path of a credentials file to read profiles from instead of the shared files (~/.aws/credentials and ~/.aws/config).'
        AccessKey       = 'An AWS access key id. Give it with -SecretKey (and -SessionToken for temporary credentials). Without these, -ProfileName or the default chain (environment, AWS_PROFILE, default profile, container or instance role) is used.'
        SecretKey       = 'The secret access key that goes with -AccessKey.'
        SessionToken    = 'The session token of temporary credentials, with -AccessKey and -SecretKey.'
        RoleName        = 'The IAM role to assume in each account the command works in: arn:<partition>:iam::<account>:role/<RoleName> (partition aws, aws-cn or aws-us-gov from the region), with session name SgNarrower-<run id>. The assumed credentials are refreshed before they expire, so long runs go on. An account whose role cannot be assumed is one non-terminating error (AssumeRoleFailed, with the STS error); the other accounts go on. S3 records are always read and written with the caller''s own credentials.'
        ExternalId      = 'The external id the role''s trust policy asks for, with -RoleName.'
        ThrottleLimit   = 'How many account-region scopes are worked on at once (default 8). Output, errors and progress are still written in order by the pipeline, as results arrive.'
        RateShare       = 'The share of each of EC2''s per-account, per-region request buckets to use (0.05 to 1, default 1). SgNarrower paces its calls to client-side token buckets shaped like EC2''s (Describe: 100 burst, 20 a second; authorize, revoke and modify: 50 and 5; CreateTags: 100 and 10), so it waits for a token instead of being throttled. Take less, for example 0.5, to leave room for the console and other automation in the same account. Throttling that still happens is waited out patiently (up to 3 minutes per call) before a rule is reported Failed.'
        WhatIf          = 'Shows what would change, rule by rule, and changes nothing. It wins over -Force.'
        Confirm         = 'Asks before each change. Revoke-OpenIngressRule and Restore-IngressRule ask by default (ConfirmImpact High); -Force skips the prompt.'
        EndpointUrl     = 'A service URL to call instead of the public AWS endpoint: a VPC interface endpoint, an S3-compatible store, or a local test server. The region is still used to sign requests.'
    }
}
