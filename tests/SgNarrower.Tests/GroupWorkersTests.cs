using SgNarrower.Changes;
using Xunit;

namespace SgNarrower.Tests;

/// <summary>The workers behind overlapping groups: order of results, a limit on groups at once, a fault kept to its group.</summary>
public sealed class GroupWorkersTests
{
    [Fact]
    public void Results_come_out_in_the_order_given_whatever_order_the_work_finishes_in()
    {
        var delivered = new List<object>();
        var workers = new GroupWorkers<object>(8, delivered.Add, e => throw e, CancellationToken.None);
        using var release = new ManualResetEventSlim();
        // The first item finishes last: it waits until all the others have run.
        int done = 0;
        workers.Run(() => { release.Wait(); return 0; });
        for (int i = 1; i < 8; i++)
        {
            int n = i;
            workers.Run(() => { if (Interlocked.Increment(ref done) == 7) release.Set(); return n; });
        }
        workers.Complete();
        Assert.Equal(Enumerable.Range(0, 8).Cast<object>(), delivered);
    }

    [Fact]
    public void No_more_than_the_limit_run_at_once()
    {
        int running = 0, most = 0;
        var workers = new GroupWorkers<object>(3, _ => { }, e => throw e, CancellationToken.None);
        for (int i = 0; i < 20; i++)
            workers.Run(() =>
            {
                int now = Interlocked.Increment(ref running);
                lock (workers) most = Math.Max(most, now);
                Thread.Sleep(5);
                Interlocked.Decrement(ref running);
                return 1;
            });
        workers.Complete();
        Assert.Equal(3, most);
        Assert.Equal(3, workers.MostInFlight);
    }

    [Fact]
    public void Work_that_throws_is_reported_and_the_results_around_it_still_come_out()
    {
        var delivered = new List<object>();
        var faults = new List<Exception>();
        var workers = new GroupWorkers<object>(4, delivered.Add, e => { lock (faults) faults.Add(e); }, CancellationToken.None);
        workers.Run(() => "a");
        workers.Run(() => throw new InvalidOperationException("broken"));
        workers.Run(() => "c");
        workers.Complete();
        Assert.Equal(new object[] { "a", "c" }, delivered);
        Assert.Equal("broken", Assert.Single(faults).Message);
    }
}
