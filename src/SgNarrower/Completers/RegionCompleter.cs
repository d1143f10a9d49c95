using System.Collections;
using System.Management.Automation.Language;
using SgNarrower.Loading;

namespace SgNarrower.Completers
{
    /// <summary>Completes -Region with the region names the AWS SDK knows.</summary>
    public sealed class RegionCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try { return Completion.From(AwsLoader.Factory.KnownRegions, wordToComplete).ToList(); }
            catch (Exception) { return Array.Empty<CompletionResult>(); }
        }
    }
}
