using System.Threading.RateLimiting;

namespace SgNarrower.AwsSdk
{
    /// <summary>
    /// Client-side token buckets shaped like EC2's for one account and region, so that calls wait for a token instead
    /// of being refused: Describe* 100 burst and 20 a second, mutating calls (authorize, revoke, modify) 50 and 5,
    /// CreateTags 100 and 10. A share below 1 leaves the rest of each bucket to other automation in the account.
    /// </summary>
    internal sealed class Pacer : IDisposable
    {
        public enum Bucket { Describe, Mutating, Tags }

        // A token less than EC2's burst, and a refill a little under EC2's: then the calls made by any moment t are at
        // most (burst - 1) + t * rate * 0.99, below what EC2's continuous bucket allows, whatever the phase of our timer.
        private const double Margin = 0.99;
        // Made on first use: the limiter refills on a timer, and its first refill must not come sooner after the
        // burst than EC2's continuous bucket has a token again.
        private readonly Lazy<TokenBucketRateLimiter> _describe, _mutating, _tags;

        public Pacer(double share)
        {
            if (!(share > 0 && share <= 1)) throw new ArgumentOutOfRangeException(nameof(share), "A share of the rate is more than 0 and at most 1.");
            _describe = new Lazy<TokenBucketRateLimiter>(() => Create(100, 20, share));
            _mutating = new Lazy<TokenBucketRateLimiter>(() => Create(50, 5, share));
            _tags = new Lazy<TokenBucketRateLimiter>(() => Create(100, 10, share));
        }

        public static Bucket For(string action) =>
            action.StartsWith("Describe", StringComparison.Ordinal) || action.StartsWith("Get", StringComparison.Ordinal) ? Bucket.Describe
            : action == "CreateTags" ? Bucket.Tags
            : Bucket.Mutating;

        /// <summary>Blocks until the bucket has a token for one call.</summary>
        public void Wait(Bucket bucket)
        {
            var limiter = (bucket == Bucket.Describe ? _describe : bucket == Bucket.Tags ? _tags : _mutating).Value;
            using var lease = limiter.AcquireAsync(1).AsTask().ConfigureAwait(false).GetAwaiter().GetResult();
            if (!lease.IsAcquired) throw new InvalidOperationException("The rate limiter refused a token it should have queued.");
        }

        private static TokenBucketRateLimiter Create(int burst, double perSecond, double share)
        {
            double rate = perSecond * share * Margin;
            // One token per period: the period is how long one token takes to come back.
            var period = TimeSpan.FromTicks((long)(TimeSpan.TicksPerSecond / rate));
            return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, (int)Math.Floor(burst * share) - 1),
                TokensPerPeriod = 1,
                ReplenishmentPeriod = period,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }

        public void Dispose()
        {
            foreach (var l in new[] { _describe, _mutating, _tags })
                if (l.IsValueCreated) l.Value.Dispose();
        }
    }
}
