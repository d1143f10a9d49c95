
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
}
