using System.Text.Json;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Xunit;
using static Tabby.Interop.Tests.Harness.TwoNodes;

namespace Tabby.Interop.Tests.Frr;

/// <summary>Graceful restart (RFC 4724) in both roles with FRR bgpd (<c>bgp graceful-restart</c>).</summary>
public sealed class FrrGracefulRestartTests(ITestOutputHelper output)
{
    private const string GracefulRestart = "bgp graceful-restart; bgp graceful-restart restart-time 60; bgp graceful-restart preserve-fw-state";

    /// <summary>bgpd's paths for an IPv4 prefix (empty when it has none).</summary>
    private static async Task<JsonElement[]> PathsAsync(FrrBgpDaemon frr, string prefix)
    {
        var json = await frr.VtyshJsonAsync($"show bgp ipv4 unicast {prefix} json");
        return json.TryGetProperty("paths", out var paths) ? [.. paths.EnumerateArray()] : [];
    }

    private static bool IsStale(JsonElement path) => path.TryGetProperty("stale", out var stale) && stale.GetBoolean();

    [RootFact]
    public async Task FrrKeepsOurRoutesStaleWhileWeRestart()
    {
        using var net = await CreateAsync("frr");
        await using var frr = await FrrBgpDaemon.StartAsync(net.Peer, FrrConfigs.Sessions(65002, 65001, global: GracefulRestart), output);
        var first = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        first.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        await frr.WaitEstablishedAsync(TabbyV4);
        await Wait.UntilAsync(async () => (await PathsAsync(frr, "198.51.100.0/24")).Length == 1, TimeSpan.FromSeconds(20),
            "bgpd to learn our route", () => frr.VtyshAsync("show bgp ipv4 unicast"));

        // We go away without a NOTIFICATION: bgpd (helper) keeps our route, marked stale.
        await first.StopAsync(gracefulRestart: true);
        await Wait.UntilAsync(async () => (await PathsAsync(frr, "198.51.100.0/24")) is [var p] && IsStale(p), TimeSpan.FromSeconds(20),
            "bgpd to keep our route as stale", () => frr.VtyshAsync("show bgp ipv4 unicast 198.51.100.0/24"));
        Assert.NotEqual("Established", await frr.NeighborStateAsync(TabbyV4));

        await using var second = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output,
            o => o with { RestartingAfterGracefulRestart = true });
        second.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        await frr.WaitEstablishedAsync(TabbyV4);
        await Wait.UntilAsync(async () => (await PathsAsync(frr, "198.51.100.0/24")) is [var p] && !IsStale(p), TimeSpan.FromSeconds(20),
            "bgpd to refresh our route", () => frr.VtyshAsync("show bgp ipv4 unicast 198.51.100.0/24"));
    }

    [RootFact]
    public async Task WeKeepFrrsRoutesStaleWhileItRestarts()
    {
        using var net = await CreateAsync("frr");
        await using var frr = await FrrBgpDaemon.StartAsync(net.Peer, FrrConfigs.Sessions(65002, 65001, global: GracefulRestart), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        await tabby.WaitRouteAsync("203.0.113.0/24");
        await frr.WaitEstablishedAsync(TabbyV4);

        // SIGKILL: bgpd dies without a NOTIFICATION; we help (RFC 4724 section 4.2) and keep its route stale.
        await frr.StopAsync(kill: true);
        await tabby.WaitRouteAsync("203.0.113.0/24", r => r.Paths.All(p => p.Stale), TimeSpan.FromSeconds(20));
        Assert.True((await tabby.PeerAsync(PeerV4)).GracefulRestartHelping);

        // bgpd comes back (forwarding state preserved: F bit) and re-announces; its End-of-RIB ends our helping.
        await frr.StartAsync();
        await tabby.WaitEstablishedAsync(PeerV4);
        await tabby.WaitRouteAsync("203.0.113.0/24", r => r.Paths.All(p => !p.Stale), TimeSpan.FromSeconds(30));
        await Wait.UntilAsync(async () => (await tabby.PeerAsync(PeerV4)).StalePrefixes == 0, TimeSpan.FromSeconds(20), "Tabby to finish helping",
            async () => JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)));

        // bgpd's own view after its restart: graceful restart negotiated with us, our route learned again.
        var neighbor = (await frr.VtyshJsonAsync("show bgp neighbors 192.0.2.1 json")).GetProperty(TabbyV4);
        Assert.Equal("advertisedAndReceived", neighbor.GetProperty("neighborCapabilities").GetProperty("gracefulRestart").GetString());
        Assert.StartsWith("Restart", neighbor.GetProperty("gracefulRestartInfo").GetProperty("localGrMode").GetString());
        await Wait.UntilAsync(async () => (await PathsAsync(frr, "198.51.100.0/24")) is [var p] && !IsStale(p), TimeSpan.FromSeconds(20),
            "bgpd to relearn our route", () => frr.VtyshAsync("show bgp ipv4 unicast"));
    }
}
