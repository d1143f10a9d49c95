using System.Collections;
using System.Management.Automation.Language;
using SgNarrower.Loading;

namespace SgNarrower.Completers
{
    /// <summary>Completes -ProfileName from the shared credentials and config files (or -ProfileLocation).</summary>
    public sealed class ProfileNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                var location = fakeBoundParameters?["ProfileLocation"] as string;
                return Completion.From(AwsLoader.Factory.ListProfiles(location), wordToComplete).ToList();
            }
            catch (Exception) { return Array.Empty<CompletionResult>(); }
        }
    }
}
