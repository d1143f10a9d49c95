using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using SgNarrower.Loading;

namespace SgNarrower.Completers
{
    internal static class Completion
    {
        public static IEnumerable<CompletionResult> From(IEnumerable<string> values, string wordToComplete, Func<string, string>? tooltip = null)
        {
            var prefix = (wordToComplete ?? "").Trim('\'', '"');
            foreach (var v in values.Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
                yield return new CompletionResult(v, v, CompletionResultType.ParameterValue, tooltip?.Invoke(v) ?? v);
        }
    }

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
