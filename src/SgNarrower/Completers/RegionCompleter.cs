using System.Collections;
using SgNarrower.Loading;

namespace SgNarrower.Completers
{
    /// <summary>Completes -Region with the region names the AWS SDK knows.</summary>
    public sealed class RegionCompleter : ValueCompleter
    {
        protected override IEnumerable<string> Values(IDictionary? boundParameters) => AwsLoader.Factory.KnownRegions;
    }
}
