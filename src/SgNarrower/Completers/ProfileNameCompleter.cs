using System.Collections;
using SgNarrower.Loading;

namespace SgNarrower.Completers
{
    /// <summary>Completes -ProfileName from the shared credentials and config files (or -ProfileLocation).</summary>
    public sealed class ProfileNameCompleter : ValueCompleter
    {
        protected override IEnumerable<string> Values(IDictionary? boundParameters) =>
            AwsLoader.Factory.ListProfiles(boundParameters?["ProfileLocation"] as string);
    }
}
