using System.Diagnostics;
using Tabby.Datastore.Kubernetes;
using Xunit;

namespace Tabby.Datastore.Tests.Kubernetes;

public sealed class TokenBucketTests
{
    [Fact]
    public async Task Burst_passes_then_rate_limits()
    {
        var bucket = new TokenBucket(rate: 100, burst: 10, TimeProvider.System);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            await bucket.WaitAsync(CancellationToken.None);
        }

        var burst = clock.Elapsed;
        clock.Restart();
        for (var i = 0; i < 10; i++)
        {
            await bucket.WaitAsync(CancellationToken.None);
        }

        // 10 more at 100/s need about 100 ms (a loaded machine only makes it slower).
        Assert.True(clock.ElapsedMilliseconds >= 80, $"10 requests beyond the burst took only {clock.ElapsedMilliseconds} ms (burst: {burst.TotalMilliseconds} ms)");
    }
}
