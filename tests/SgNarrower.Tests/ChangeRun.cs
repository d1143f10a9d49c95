using SgNarrower.AwsApi;
using SgNarrower.Changes;
using SgNarrower.Concurrency;

namespace SgNarrower.Tests;

/// <summary>Runs change requests the way Revoke-OpenIngressRule and Restore-IngressRule do: through a change stream and its Drain.</summary>
internal static class ChangeRun
{
    public static List<GroupOutcome> Outcomes(Func<Scope, IEc2Api> api, IEnumerable<ChangeRequest> requests, PlanOptions options)
    {
        using var stream = new ChangeStream(api, options, 4, null, CancellationToken.None);
        foreach (var r in requests) stream.Add(r);
        stream.Complete();
        var outcomes = new List<GroupOutcome>();
        // A scope's failure also fails each of its rules, which the outcomes carry.
        stream.Drain(wait: true, new ChangeHandlers { Result = outcomes.Add, Failure = _ => { } });
        return outcomes;
    }

    public static List<IngressRuleChange> Changes(Func<Scope, IEc2Api> api, IEnumerable<ChangeRequest> requests, PlanOptions options) =>
        Outcomes(api, requests, options).SelectMany(o => o.Changes).ToList();
}
