using Tabby.Node.Health;
using Tabby.Testing.Time;
using Xunit;

namespace Tabby.Node.Tests.Health;

public sealed class BgpReadinessTests
{
    private static readonly PeerHealth Up = new("192.0.2.2", true);
    private static readonly PeerHealth Down = new("192.0.2.3", false);

    [Fact]
    public void NoPeersIsReady() => Assert.Null(BgpReadiness.WhyNotReady([], TimeSpan.Zero, false));

    [Fact]
    public void DuringStartupEveryPeerMustBeEstablished() =>
        Assert.Equal("BGP not established with 192.0.2.3", BgpReadiness.WhyNotReady([Up, Down], TimeSpan.FromSeconds(10), false));

    [Fact]
    public void AfterStartupOneEstablishedPeerIsEnough() => Assert.Null(BgpReadiness.WhyNotReady([Up, Down], TimeSpan.FromSeconds(31), false));

    [Fact]
    public void AfterStartupNoEstablishedPeerIsNotReady() =>
        Assert.NotNull(BgpReadiness.WhyNotReady([Down], TimeSpan.FromMinutes(5), false));

    [Fact]
    public void GracefulRestartIsNeverReady() => Assert.NotNull(BgpReadiness.WhyNotReady([Up], TimeSpan.FromMinutes(5), true));

    [Fact]
    public void AComponentThatStopsReportingIsNotLive()
    {
        var time = new ManualTimeProvider();
        var health = new HealthAggregator(time);
        health.Register("bgp", TimeSpan.FromSeconds(20));
        health.Register("routes", TimeSpan.FromSeconds(20));
        health.Report("bgp", new HealthReport(true, true));
        health.Report("routes", new HealthReport(true, false, "initial sync"));

        Assert.True(health.Summarize().Live);
        Assert.False(health.Summarize().Ready);
        time.Advance(TimeSpan.FromSeconds(15));
        health.Report("routes", new HealthReport(true, true));
        Assert.True(health.Summarize().Ready);
        time.Advance(TimeSpan.FromSeconds(10));
        health.Report("routes", new HealthReport(true, true));

        var summary = health.Summarize();
        Assert.False(summary.Live);
        Assert.Contains(summary.Components, c => c.Name == "bgp" && !c.Live && c.Detail!.StartsWith("no report", StringComparison.Ordinal));
    }
}
