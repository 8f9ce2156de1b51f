using System.Text.Json;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Xunit;
using static Tabby.Interop.Tests.Harness.TwoNodes;

namespace Tabby.Interop.Tests.GoBgp;

/// <summary>Graceful restart (RFC 4724) in both roles with GoBGP (neighbors.graceful-restart, per-family mp-graceful-restart).</summary>
public sealed class GoBgpGracefulRestartTests(ITestOutputHelper output)
{
    /// <summary>The paths gobgpd holds for <paramref name="prefix"/> (empty when it has none).</summary>
    private static async Task<JsonElement[]> PathsAsync(GoBgpDaemon gobgp, string prefix) =>
        (await gobgp.GlobalRibAsync("ipv4")).TryGetValue(prefix, out var paths) ? [.. paths.EnumerateArray()] : [];

    private static bool IsStale(JsonElement path) => path.TryGetProperty("stale", out var stale) && stale.GetBoolean();

    [RootFact]
    public async Task GoBgpKeepsOurRoutesStaleWhileWeRestart()
    {
        using var net = await CreateAsync("gobgp");
        await using var gobgp = await GoBgpDaemon.StartAsync(net.Peer, GoBgpSessionTests.Config(65002, 65001, false, gracefulRestart: true, ipv6Neighbor: false), output);
        var first = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        first.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        await gobgp.WaitEstablishedAsync(TabbyV4);
        await Wait.UntilAsync(async () => (await PathsAsync(gobgp, "198.51.100.0/24")).Length == 1, TimeSpan.FromSeconds(20),
            "gobgpd to learn our route", () => gobgp.GobgpAsync("global", "rib"));

        // We go away without a NOTIFICATION: gobgpd (helper) keeps our route, marked stale.
        await first.StopAsync(gracefulRestart: true);
        await Wait.UntilAsync(async () => (await PathsAsync(gobgp, "198.51.100.0/24")) is [var p] && IsStale(p), TimeSpan.FromSeconds(20),
            "gobgpd to keep our route as stale", () => gobgp.GobgpAsync("global", "rib", "-j"));
        Assert.NotEqual(GoBgpDaemon.SessionEstablished, await gobgp.SessionStateAsync(TabbyV4));

        await using var second = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output,
            o => o with { RestartingAfterGracefulRestart = true });
        second.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        await gobgp.WaitEstablishedAsync(TabbyV4);
        // Re-announced before our End-of-RIB: the route is fresh again, never withdrawn.
        await Wait.UntilAsync(async () => (await PathsAsync(gobgp, "198.51.100.0/24")) is [var p] && !IsStale(p), TimeSpan.FromSeconds(20),
            "gobgpd to refresh our route", () => gobgp.GobgpAsync("global", "rib", "-j"));
    }

    [RootFact]
    public async Task WeKeepGoBgpsRoutesStaleWhileItRestarts()
    {
        using var net = await CreateAsync("gobgp");
        await using var gobgp = await GoBgpDaemon.StartAsync(net.Peer, GoBgpSessionTests.Config(65002, 65001, false, gracefulRestart: true, ipv6Neighbor: false), output);
        await gobgp.GobgpAsync("global", "rib", "-a", "ipv4", "add", "203.0.113.0/24");
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        await tabby.WaitRouteAsync("203.0.113.0/24");
        await gobgp.WaitEstablishedAsync(TabbyV4);
        Assert.Matches(@"graceful-restart:\s+advertised and received", await gobgp.GobgpAsync("neighbor", TabbyV4));
        await Wait.UntilAsync(async () => (await PathsAsync(gobgp, "198.51.100.0/24")).Length == 1, TimeSpan.FromSeconds(20),
            "gobgpd to learn our route", () => gobgp.GobgpAsync("global", "rib"));

        // SIGKILL: gobgpd dies without a NOTIFICATION; we help (RFC 4724 section 4.2) and keep its route stale.
        await gobgp.StopAsync(kill: true);
        await tabby.WaitRouteAsync("203.0.113.0/24", r => r.Paths.All(p => p.Stale), TimeSpan.FromSeconds(20));
        Assert.True((await tabby.PeerAsync(PeerV4)).GracefulRestartHelping);

        // gobgpd comes back with the Restart State bit (-r) and its route.
        gobgp.ExtraArguments = ["-r"];
        await gobgp.StartAsync();
        await gobgp.GobgpAsync("global", "rib", "-a", "ipv4", "add", "203.0.113.0/24");
        await tabby.WaitEstablishedAsync(PeerV4);
        // gobgpd defers its UPDATEs until our End-of-RIB (restarting speaker, RFC 4724 section 4.1);
        // its End-of-RIB ends our helping.
        await tabby.WaitRouteAsync("203.0.113.0/24", r => r.Paths.All(p => !p.Stale), TimeSpan.FromSeconds(30));
        await Wait.UntilAsync(async () => (await tabby.PeerAsync(PeerV4)).StalePrefixes == 0, TimeSpan.FromSeconds(20), "Tabby to finish helping",
            async () => JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)));
        // gobgpd's own view after its restart: our route learned again.
        await Wait.UntilAsync(async () => (await PathsAsync(gobgp, "198.51.100.0/24")).Length == 1, TimeSpan.FromSeconds(20),
            "gobgpd to relearn our route", () => gobgp.GobgpAsync("global", "rib"));
    }
}
