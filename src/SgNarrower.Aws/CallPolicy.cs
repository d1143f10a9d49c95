using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using SgNarrower.AwsApi;

namespace SgNarrower.AwsSdk
{
    /// <summary>
    /// How one (account, region)'s EC2 calls are made: each waits for a token of its bucket first, throttling that
    /// still happens (the buckets are shared with the console and other automation) is waited out with growing,
    /// jittered pauses up to a patient bound, and a dropped connection or a 5xx is tried again a few times. The SDK's
    /// own retries are off for these clients: its retry quota is shared by every client in the process, and a burst
    /// of throttling would empty it and fail later groups at once.
    /// </summary>
    internal sealed class CallPolicy : IDisposable
    {
        public const int TransientAttempts = 6;
        private static readonly ThreadLocal<Random> Jitter = new ThreadLocal<Random>(() => new Random(Guid.NewGuid().GetHashCode()));
        private readonly Pacer _pacer;
        private readonly TimeSpan _patience;
        private long _throttled;

        public CallPolicy(double share, TimeSpan patience)
        {
            _pacer = new Pacer(share);
            _patience = patience;
        }

        /// <summary>Calls refused with RequestLimitExceeded so far (and waited out).</summary>
        public long Throttled => Interlocked.Read(ref _throttled);

        public T Run<T>(string service, string action, Func<Task<T>> call)
        {
            var clock = Stopwatch.StartNew();
            int throttles = 0, transient = 0;
            while (true)
            {
                _pacer.Wait(Pacer.For(action));
                try
                {
                    return SdkCalls.Run(service, action, call);
                }
                catch (AwsServiceException e)
                {
                    if (IsThrottling(e))
                    {
                        throttles++;
                        Interlocked.Increment(ref _throttled);
                        var pause = Backoff(throttles, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
                        if (clock.Elapsed + pause > _patience)
                            throw new AwsServiceException(service, action, e.ErrorCode,
                                $"{action} was throttled {throttles} time(s) over {clock.Elapsed.TotalSeconds:F0} s of patient waiting (limit {_patience.TotalSeconds:F0} s): the account's request rate is being spent elsewhere too.",
                                e.StatusCode, e) { AfterLostReply = transient > 0 };
                        Thread.Sleep(pause);
                        continue;
                    }
                    if (IsTransient(e) && transient < TransientAttempts - 1)
                    {
                        transient++;
                        Thread.Sleep(Backoff(transient, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2)));
                        continue;
                    }
                    // An error after an attempt without a reply may be that attempt's own effect (a revoke retried
                    // after a lost reply meets NotFound): marked, so that the caller lets a describe decide.
                    if (transient > 0) e.AfterLostReply = true;
                    throw;
                }
            }
        }

        private static bool IsThrottling(AwsServiceException e) =>
            e.ErrorCode == "RequestLimitExceeded" || e.ErrorCode == "Throttling" || e.ErrorCode == "ThrottlingException";

        private static bool IsTransient(AwsServiceException e) => e.ErrorCode == "ConnectionFailure" || e.StatusCode >= 500;

        /// <summary>Equal jitter: a pause between half and all of base * 2^(n-1), capped.</summary>
        private static TimeSpan Backoff(int attempt, TimeSpan first, TimeSpan cap)
        {
            double max = Math.Min(cap.TotalMilliseconds, first.TotalMilliseconds * Math.Pow(2, attempt - 1));
            return TimeSpan.FromMilliseconds(max / 2 + Jitter.Value!.NextDouble() * max / 2);
        }

        public void Dispose() => _pacer.Dispose();
    }
}
