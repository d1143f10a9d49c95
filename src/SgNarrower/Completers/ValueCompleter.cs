using System.Collections;
using System.Management.Automation.Language;

namespace SgNarrower.Completers
{
    /// <summary>
    /// Completes a parameter from a list of values that start with what was typed. Completion never fails the line:
    /// where the values cannot be read (no AWS files, no SDK yet), it offers nothing.
    /// </summary>
    public abstract class ValueCompleter : IArgumentCompleter
    {
        /// <summary>The values to offer, given the parameters bound so far.</summary>
        protected abstract IEnumerable<string> Values(IDictionary? boundParameters);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                var prefix = (wordToComplete ?? "").Trim('\'', '"');
                return Values(fakeBoundParameters).Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, v)).ToList();
            }
            catch (Exception) { return Array.Empty<CompletionResult>(); }
        }
    }
}
