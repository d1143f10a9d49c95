using System.Threading;
using SgNarrower.AwsApi;
using SgNarrower.Concurrency;
using SgNarrower.Evidence;

namespace SgNarrower.Provenance
{
    /// <summary>
    /// Who opened each of a scan's rules: the files the request names are found (in S3 only for the days of the window
    /// and the accounts and regions that hold open rules), read several at once into a <see cref="ProvenanceIndex"/>,
    /// and each rule looked up in it. A listing or file that cannot be read is a failure of its own; the rest is read.
    /// </summary>
    public static class ProvenanceRun
    {
        /// <param name="s3">The S3 port of the trail's bucket; asked for only where the request reads S3.</param>
        /// <param name="expectedBucketOwner">The owner the trail's bucket must have (a listing is refused otherwise).</param>
        /// <exception cref="FileNotFoundException">A local path is neither a file nor a folder.</exception>
        /// <exception cref="FormatException">A result URI is not s3://bucket/key or s3://bucket/prefix.</exception>
        public static List<OpenIngressRule> Trace(IReadOnlyList<OpenIngressRule> rules, CloudTrailRequest request, Func<IS3Api> s3,
            Func<string> expectedBucketOwner, int throttleLimit, WorkerNotes notes, CancellationToken cancel)
        {
            if (rules.Count == 0) return rules.ToList();
            var files = new List<FlowLogFile>();
            files.AddRange(CloudTrailSources.Local(request.LogPaths));
            files.AddRange(FlowLogSources.LocalAggregates(request.ResultPaths));
            foreach (var uri in request.ResultUris)
            {
                try { files.AddRange(FlowLogSources.AggregatesInS3(s3(), uri)); }
                catch (AwsServiceException e) { notes.Failure(WorkFailure.Of(uri, e)); }
            }
            if (request.TrailUri != null)
            {
                var scopes = rules.Where(r => r.OwnerId != null && r.Region != null).Select(r => (r.OwnerId!, r.Region!)).Distinct().ToList();
                files.AddRange(CloudTrailSources.InS3(s3(), request.TrailUri, request.OrganizationId, scopes, request.Since, request.Until,
                    expectedBucketOwner(), (e, where) => notes.Failure(WorkFailure.Of(where, e))));
            }
            notes.Verbose($"{files.Count} CloudTrail file(s) from {request.Since:u} to {request.Until:u}");
            var index = new ProvenanceIndex(request.Since, request.Until);
            CloudTrailSources.Read(files, index, throttleLimit, notes, cancel);
            notes.Verbose($"{index.Events} call(s) that opened or changed ingress rules");
            return rules.Select(index.Apply).ToList();
        }
    }
}
