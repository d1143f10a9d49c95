using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using SgNarrower.Services;

namespace SgNarrower.AwsSdk
{
    internal static class SdkCalls
    {
        /// <summary>Runs one SDK call synchronously (cmdlets are synchronous) and turns its failures into ours.</summary>
        public static T Run<T>(string service, string action, Func<Task<T>> call) =>
            RunAsync(service, action, call).ConfigureAwait(false).GetAwaiter().GetResult();

        public static async Task<T> RunAsync<T>(string service, string action, Func<Task<T>> call)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (AmazonServiceException e) when (!string.IsNullOrEmpty(e.ErrorCode))
            {
                throw new AwsServiceException(service, action, e.ErrorCode, e.Message, (int)e.StatusCode, e);
            }
            catch (AmazonServiceException e) when (e.InnerException is System.Net.Http.HttpRequestException || e.StatusCode == 0)
            {
                throw new AwsServiceException(service, action, "ConnectionFailure", Innermost(e), 0, e);
            }
            catch (AmazonServiceException e)
            {
                throw new AwsServiceException(service, action, "HttpStatus" + (int)e.StatusCode, e.Message, (int)e.StatusCode, e);
            }
            catch (Exception e) when (e is System.Net.Http.HttpRequestException || e is System.Net.WebException ||
                                      e is System.Net.Sockets.SocketException || e is TaskCanceledException || e is System.IO.IOException)
            {
                throw new AwsServiceException(service, action, "ConnectionFailure", Innermost(e), 0, e);
            }
            catch (AmazonClientException e) when (ServiceErrorWithin(e) is AmazonServiceException inner)
            {
                // The call never went out: getting its credentials failed (an assumed role, SSO, web identity).
                throw new AwsServiceException(service, action, "CredentialsFailed",
                    $"The credentials could not be obtained: {Chain(e)} ({inner.ErrorCode}).", (int)inner.StatusCode, e);
            }
            catch (AmazonClientException e)
            {
                throw new AwsServiceException(service, action, "ClientError", Chain(e), 0, e);
            }
        }

        private static AmazonServiceException? ServiceErrorWithin(Exception e)
        {
            for (var x = e.InnerException; x != null; x = x.InnerException)
                if (x is AmazonServiceException s && !string.IsNullOrEmpty(s.ErrorCode)) return s;
            return null;
        }

        /// <summary>The messages of an exception and its causes that say something, outermost first.</summary>
        private static string Chain(Exception e)
        {
            var parts = new System.Collections.Generic.List<string>();
            for (var x = e; x != null; x = x.InnerException)
                if (!x.Message.StartsWith("Exception of type", StringComparison.Ordinal) && !parts.Contains(x.Message)) parts.Add(x.Message.TrimEnd('.'));
            return string.Join(": ", parts);
        }

        private static string Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e.Message;
        }
    }

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
