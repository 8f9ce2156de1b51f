using Tabby.Bgp.Fsm;
using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Xunit;
using static Tabby.Interop.Tests.Harness.TwoNodes;

namespace Tabby.Interop.Tests.Frr;

/// <summary>Sessions, routes, NOTIFICATIONs and TCP MD5 with FRR bgpd, asserted on vtysh output.</summary>
public sealed class FrrSessionTests(ITestOutputHelper output)
{
    public enum Opener
    {
        Tabby,
        Frr,
        Both,
    }

    [RootTheory]
    [InlineData(65002u, Opener.Tabby)]
    [InlineData(65002u, Opener.Frr)]
    [InlineData(65001u, Opener.Both)]
    public async Task SessionsEstablishAndRoutesFlowBothWays(uint frrAs, Opener opener)
    {
        using var net = await CreateAsync("frr");
        await using var frr = await FrrBgpDaemon.StartAsync(net.Peer, FrrConfigs.Sessions(frrAs, 65001, opener == Opener.Tabby ? "passive" : ""), output);
        bool passive = opener == Opener.Frr;
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4,
            [TabbyNode.Peer(PeerV4, frrAs, p => p with { Passive = passive }), TabbyNode.Peer(PeerV6, frrAs, p => p with { Passive = passive })], output);
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"), Marked);
        tabby.Speaker.Originate(BgpPrefix.Parse("2001:db8:100::/48"), Marked);

        await frr.WaitEstablishedAsync(TabbyV4);
        await frr.WaitEstablishedAsync(TabbyV6);
        await Wait.UntilAsync(async () => (await frr.VtyshAsync("show bgp ipv4 unicast")).Contains("198.51.100.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "bgpd to learn 198.51.100.0/24", () => frr.VtyshAsync("show bgp ipv4 unicast"));
        var v4 = await frr.VtyshAsync("show bgp ipv4 unicast 198.51.100.0/24");
        Assert.Contains("Community: 65001:7", v4);
        Assert.Contains("Large Community: 65001:3:4", v4);
        Assert.Contains("metric 50", v4);
        Assert.Contains("192.0.2.1", v4);
        await Wait.UntilAsync(async () => (await frr.VtyshAsync("show bgp ipv6 unicast")).Contains("2001:db8:100::/48", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "bgpd to learn 2001:db8:100::/48", () => frr.VtyshAsync("show bgp ipv6 unicast"));
        Assert.Contains("Community: 65001:7", await frr.VtyshAsync("show bgp ipv6 unicast 2001:db8:100::/48"));

        await tabby.WaitRouteAsync("203.0.113.0/24");
        var best = (await tabby.RouteAsync("203.0.113.0/24"))!.Paths.Single(p => p.Best);
        Assert.Contains("65002:10", best.Communities);
        Assert.Contains("65002:1:2", best.LargeCommunities);
        Assert.Equal(33u, best.Med);
        await tabby.WaitRouteAsync("2001:db8:200::/48");
        Assert.Equal("2001:db8::2", (await tabby.RouteAsync("2001:db8:200::/48"))!.Paths.Single(p => p.Best).NextHop);

        tabby.Speaker.Withdraw(BgpPrefix.Parse("198.51.100.0/24"));
        await Wait.UntilAsync(async () => !(await frr.VtyshAsync("show bgp ipv4 unicast")).Contains("198.51.100.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "bgpd to drop our route", () => frr.VtyshAsync("show bgp ipv4 unicast"));
        await frr.VtyshAsync("configure terminal\nrouter bgp " + frrAs + "\naddress-family ipv4 unicast\nno network 203.0.113.0/24");
        await tabby.WaitNoRouteAsync("203.0.113.0/24");
    }

    [RootFact]
    public async Task WrongAsOnOurSideIsUnderstoodByFrr()
    {
        using var net = await CreateAsync("frr");
        await using var frr = await FrrBgpDaemon.StartAsync(net.Peer, FrrConfigs.Sessions(65002, 65001), output);
        // Passive: bgpd counts a NOTIFICATION only on the connection it opened itself (one we open
        // is a separate "doppelganger" peer in bgpd that disappears with its statistics).
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65098, p => p with { Passive = true })], output);
        // bgpd logs every NOTIFICATION it receives; its neighbour JSON keeps only the latest reset reason.
        await Wait.UntilAsync(async () => (await frr.VtyshAsync("show bgp neighbors 192.0.2.1 json")).Contains("Bad Peer AS", StringComparison.OrdinalIgnoreCase)
                || frr.ReadLog().Split('\n').Any(l => l.Contains("received from neighbor 192.0.2.1", StringComparison.Ordinal) && l.Contains("Bad Peer AS", StringComparison.OrdinalIgnoreCase)),
            TimeSpan.FromSeconds(30), "bgpd to record the Bad Peer AS NOTIFICATION it received", () => frr.VtyshAsync("show bgp neighbors 192.0.2.1 json"));
        Assert.Contains("NOTIFICATION sent: NOTIFICATION OPEN Message Error / Bad Peer AS", (await tabby.PeerAsync(PeerV4)).LastError);
    }

    [RootFact]
    public async Task WrongAsOnFrrsSideIsUnderstoodByUs()
    {
        using var net = await CreateAsync("frr");
        await using var frr = await FrrBgpDaemon.StartAsync(net.Peer, FrrConfigs.Sessions(65002, 65099), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        await Wait.UntilAsync(async () => (await tabby.PeerAsync(PeerV4)).LastError?.Contains("NOTIFICATION received: NOTIFICATION OPEN Message Error / Bad Peer AS", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "Tabby to record bgpd's Bad Peer AS", async () => System.Text.Json.JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)));
    }

    [RootTheory]
    [InlineData("s3cret", "s3cret", true)]
    [InlineData("s3cret", "wrong", false)]
    public async Task TcpMd5(string ours, string frrs, bool establishes)
    {
        using var net = await CreateAsync("frr");
        await using var frr = await FrrBgpDaemon.StartAsync(net.Peer, FrrConfigs.Sessions(65002, 65001, $"password {frrs}"), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002, p => p with { Password = ours })], output);
        if (establishes)
        {
            await frr.WaitEstablishedAsync(TabbyV4);
            await tabby.WaitEstablishedAsync(PeerV4);
            return;
        }

        await Task.Delay(TimeSpan.FromSeconds(8));
        Assert.NotEqual("Established", await frr.NeighborStateAsync(TabbyV4));
        Assert.NotEqual(SessionState.Established, (await tabby.PeerAsync(PeerV4)).State);
    }

    [RootFact]
    public async Task RouteRefreshRequestsAreAnswered()
    {
        using var net = await CreateAsync("frr");
        await using var frr = await FrrBgpDaemon.StartAsync(net.Peer, FrrConfigs.Sessions(65002, 65001), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        await frr.WaitEstablishedAsync(TabbyV4);
        await Wait.UntilAsync(async () => (await frr.VtyshAsync("show bgp ipv4 unicast")).Contains("198.51.100.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "bgpd to learn our route", () => frr.VtyshAsync("show bgp ipv4 unicast"));
        var before = await tabby.PeerAsync(PeerV4);

        // bgpd asks for our routes again (ROUTE-REFRESH; enhanced route refresh is negotiated, RFC 7313).
        await frr.VtyshAsync("clear bgp ipv4 unicast 192.0.2.1 soft in");
        await Wait.UntilAsync(async () => (await tabby.PeerAsync(PeerV4)).MessagesIn["routerefresh"] > before.MessagesIn["routerefresh"],
            TimeSpan.FromSeconds(20), "Tabby to receive ROUTE-REFRESH", async () => System.Text.Json.JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)));
        await Wait.UntilAsync(async () =>
            {
                var p = await tabby.PeerAsync(PeerV4);
                // The answer: BoRR, the route again, EoRR.
                return p.MessagesOut["update"] > before.MessagesOut["update"] && p.MessagesOut["routerefresh"] >= before.MessagesOut["routerefresh"] + 2;
            },
            TimeSpan.FromSeconds(20), "Tabby to re-send its routes between BoRR and EoRR", async () => System.Text.Json.JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)));
        Assert.Contains("198.51.100.0/24", await frr.VtyshAsync("show bgp ipv4 unicast"));
        Assert.Equal(Tabby.Bgp.Fsm.SessionState.Established, (await tabby.PeerAsync(PeerV4)).State);
    }
}
