using System.Collections;
using SgNarrower.Rules;

namespace SgNarrower.Commands
{
    /// <summary>
    /// Refuses a value with a control character (NUL and the rest of C0, DEL, C1) or a bidirectional mark, override or
    /// isolate, at binding time, pipeline values included: an address, id, region, tag selector, bucket or key is text,
    /// and a parser that stops at such a character would act on another value than the one shown.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidatePlainTextAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var values = arguments is string one ? new[] { (object)one } : arguments as IEnumerable ?? new[] { arguments };
            foreach (var value in values)
                if (value is string text && InputText.Problem(text, "The value") is string problem)
                    throw new ValidationMetadataException(problem);
        }
    }
}
