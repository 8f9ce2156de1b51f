using Tabby.Bgp.Wire.Nlri;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Xunit;
using static Tabby.Interop.Tests.Harness.TwoNodes;

namespace Tabby.Interop.Tests.Bird;

/// <summary>Graceful restart (RFC 4724) in both roles with BIRD.</summary>
public sealed class BirdGracefulRestartTests(ITestOutputHelper output)
{
    private const string GracefulRestart = "graceful restart on; graceful restart time 60;";

    [RootFact]
    public async Task BirdKeepsOurRoutesWhileWeRestart()
    {
        using var net = await CreateAsync("bird");
        await using var bird = await BirdDaemon.StartAsync(net.Peer, BirdConfigs.Sessions(65002, 65001, options: GracefulRestart), output);
        var first = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        first.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        await bird.WaitEstablishedAsync("tabby4");
        await Wait.UntilAsync(async () => (await bird.ShowRouteAsync("protocol", "tabby4")).Contains("198.51.100.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "BIRD to learn our route", () => bird.ShowRouteAsync("all"));

        await first.StopAsync(gracefulRestart: true);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.NotEqual("Established", await bird.BgpStateAsync("tabby4"));
        Assert.Contains("198.51.100.0/24", await bird.ShowRouteAsync("all"));

        await using var second = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output,
            o => o with { RestartingAfterGracefulRestart = true });
        second.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        await bird.WaitEstablishedAsync("tabby4");
        await second.WaitEstablishedAsync(PeerV4);
        // After our End-of-RIB BIRD drops what we did not re-announce; the route must stay.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var route = await bird.ShowRouteAsync("198.51.100.0/24", "all");
        Assert.Contains("198.51.100.0/24", route);
        Assert.DoesNotContain("stale", route, StringComparison.OrdinalIgnoreCase);
    }

    [RootFact]
    public async Task WeKeepBirdsRoutesStaleUntilEndOfRib()
    {
        using var net = await CreateAsync("bird");
        await using var bird = await BirdDaemon.StartAsync(net.Peer, BirdConfigs.Sessions(65002, 65001, options: GracefulRestart), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        await tabby.WaitRouteAsync("203.0.113.0/24");

        // birdc graceful restart: BIRD shuts down without a NOTIFICATION.
        await bird.BirdcAsync("graceful", "restart");
        await tabby.WaitRouteAsync("203.0.113.0/24", r => r.Paths.All(p => p.Stale), TimeSpan.FromSeconds(20));
        Assert.True((await tabby.PeerAsync(PeerV4)).GracefulRestartHelping);

        await bird.RestartAsync();
        await tabby.WaitEstablishedAsync(PeerV4);
        await tabby.WaitRouteAsync("203.0.113.0/24", r => r.Paths.All(p => !p.Stale), TimeSpan.FromSeconds(20));
        Assert.Equal(0, (await tabby.PeerAsync(PeerV4)).StalePrefixes);
    }
}
