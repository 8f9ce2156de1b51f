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
    [InlineData(65002u, Opener.Both)]
    [InlineData(65001u, Opener.Tabby)]
    [InlineData(65001u, Opener.Frr)]
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

        // bgpd's view of our routes.
        foreach (var (family, prefix, nextHop) in new[] { ("ipv4", "198.51.100.0/24", TabbyV4), ("ipv6", "2001:db8:100::/48", TabbyV6) })
        {
            await Wait.UntilAsync(async () => (await frr.VtyshAsync($"show bgp {family} unicast")).Contains(prefix, StringComparison.Ordinal),
                TimeSpan.FromSeconds(20), $"bgpd to learn {prefix}", () => frr.VtyshAsync($"show bgp {family} unicast"));
            var text = await frr.VtyshAsync($"show bgp {family} unicast {prefix}");
            Assert.Contains("Community: 65001:7", text);
            Assert.Contains("Large Community: 65001:3:4", text);
            Assert.Contains("metric 50", text);
            Assert.Contains(nextHop, text);
            Assert.Contains(frrAs == 65001 ? "internal" : "external", text);
        }

        // Our view of bgpd's routes.
        foreach (var (prefix, nextHop) in new[] { ("203.0.113.0/24", PeerV4), ("2001:db8:200::/48", PeerV6) })
        {
            await tabby.WaitRouteAsync(prefix);
            var best = (await tabby.RouteAsync(prefix))!.Paths.Single(p => p.Best);
            Assert.Contains("65002:10", best.Communities);
            Assert.Contains("65002:1:2", best.LargeCommunities);
            Assert.Equal(33u, best.Med);
            Assert.Equal(nextHop, best.NextHop);
            Assert.Equal(frrAs == 65001 ? "" : "65002", best.AsPath);
        }

        // Withdrawals both ways.
        tabby.Speaker.Withdraw(BgpPrefix.Parse("198.51.100.0/24"));
        tabby.Speaker.Withdraw(BgpPrefix.Parse("2001:db8:100::/48"));
        await Wait.UntilAsync(async () => !(await frr.VtyshAsync("show bgp ipv4 unicast")).Contains("198.51.100.0/24", StringComparison.Ordinal)
                && !(await frr.VtyshAsync("show bgp ipv6 unicast")).Contains("2001:db8:100::/48", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "bgpd to drop our routes", async () => await frr.VtyshAsync("show bgp ipv4 unicast") + await frr.VtyshAsync("show bgp ipv6 unicast"));
        await frr.VtyshAsync($"configure terminal\nrouter bgp {frrAs}\naddress-family ipv4 unicast\nno network 203.0.113.0/24\nexit-address-family\naddress-family ipv6 unicast\nno network 2001:db8:200::/48");
        await tabby.WaitNoRouteAsync("203.0.113.0/24");
        await tabby.WaitNoRouteAsync("2001:db8:200::/48");
    }

    [RootFact]
    public async Task FourOctetAsWorksAgainstATwoOctetOnlyPeer()
    {
        using var net = await CreateAsync("frr");
        // dont-capability-negotiate: bgpd sends an OPEN without capabilities, so it is an old
        // (2-octet) speaker to us: our OPEN says AS_TRANS (23456) and our UPDATEs carry 2-octet
        // AS_PATHs with AS_TRANS and the real path in AS4_PATH (RFC 6793 section 4.2). bgpd still
        // reads the 4-octet AS from the capability we send, so it expects 4200000001 (it answers
        // "remote-as 23456" with Bad Peer AS). IPv4 unicast needs no capability.
        var config = FrrConfigs.Sessions(65002, 4200000001, "dont-capability-negotiate").Replace(
            " neighbor 2001:db8::1 remote-as 4200000001", " neighbor 2001:db8::1 remote-as 4200000001\n neighbor 2001:db8::1 shutdown", StringComparison.Ordinal);
        await using var frr = await FrrBgpDaemon.StartAsync(net.Peer, config, output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 4200000001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"), Marked);
        await frr.WaitEstablishedAsync(TabbyV4);
        await Wait.UntilAsync(async () => (await frr.VtyshAsync("show bgp ipv4 unicast")).Contains("198.51.100.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "bgpd to learn 198.51.100.0/24", () => frr.VtyshAsync("show bgp ipv4 unicast"));
        var json = await frr.VtyshJsonAsync("show bgp ipv4 unicast 198.51.100.0/24 json");
        var path = json.GetProperty("paths")[0];
        // The 2-octet AS_PATH holds AS_TRANS. bgpd takes us for a NEW speaker (we sent the
        // capability) and so ignores our AS4_PATH (RFC 6793 section 4.2.3); ExaBGP and BIRD check
        // that AS4_PATH carries 4200000001.
        Assert.Equal("23456", path.GetProperty("aspath").GetProperty("string").GetString());
        Assert.Contains("Community: 65001:7", await frr.VtyshAsync("show bgp ipv4 unicast 198.51.100.0/24"));
        await tabby.WaitRouteAsync("203.0.113.0/24");
        var best = (await tabby.RouteAsync("203.0.113.0/24"))!.Paths.Single(p => p.Best);
        Assert.Equal("65002", best.AsPath);
        Assert.Contains("65002:10", best.Communities);
        Assert.Equal(33u, best.Med);
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

    [RootFact]
    public async Task UnacceptableHoldTimeFromFrrIsUnderstoodByUs()
    {
        using var net = await CreateAsync("frr");
        // bgpd refuses a 1 s hold time ("timers 0 1": "% Invalid value"; 0 or at least 3) and so do we, so neither
        // side can propose 1 s here; instead bgpd demands at least 20 s and answers our 9 s with
        // OPEN Message Error / Unacceptable Hold Time (RFC 4271 section 6.2). Our NOTIFICATION for
        // a 1 s proposal is checked against GoBGP, which can propose it.
        await using var frr = await FrrBgpDaemon.StartAsync(net.Peer, FrrConfigs.Sessions(65002, 65001, "passive", global: "bgp minimum-holdtime 20"), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        await Wait.UntilAsync(async () => (await tabby.PeerAsync(PeerV4)).LastError?.Contains("NOTIFICATION received: NOTIFICATION OPEN Message Error / Unacceptable Hold Time", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "Tabby to record bgpd's Unacceptable Hold Time", async () => System.Text.Json.JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)) + frr.ReadLog());
        Assert.NotEqual("Established", await frr.NeighborStateAsync(TabbyV4));
    }

    [RootFact]
    public async Task MaxPrefixTearDownIsSeenByFrr()
    {
        using var net = await CreateAsync("frr");
        await using var frr = await FrrBgpDaemon.StartAsync(net.Peer, FrrConfigs.Sessions(65002, 65001, routes4: "203.0.113.0/25 203.0.113.128/25 198.18.0.0/24"), output);
        // Passive for the reason in WrongAsOnOurSideIsUnderstoodByFrr: bgpd keeps what happened on the connection it opened.
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4,
            [TabbyNode.Peer(PeerV4, 65002, p => p with { Passive = true, MaxPrefixes = 2, MaxPrefixRestartTime = TimeSpan.FromMinutes(5) })], output);
        // Cease / Maximum Number of Prefixes Reached (RFC 4486), in bgpd's neighbour state or its log.
        await Wait.UntilAsync(async () => (await frr.VtyshAsync("show bgp neighbors 192.0.2.1 json")).Contains("Maximum Number of Prefixes Reached", StringComparison.OrdinalIgnoreCase)
                || frr.ReadLog(1_000_000).Split('\n').Any(l => l.Contains("received from neighbor 192.0.2.1", StringComparison.Ordinal) && l.Contains("Maximum Number of Prefixes Reached", StringComparison.OrdinalIgnoreCase)),
            TimeSpan.FromSeconds(30), "bgpd to record Cease / Maximum Number of Prefixes Reached", () => frr.VtyshAsync("show bgp neighbors 192.0.2.1 json"));
        var peer = await tabby.PeerAsync(PeerV4);
        Assert.Equal(SessionState.Idle, peer.State);
        Assert.Contains("above the limit of 2", peer.LastError);
        Assert.Empty(await tabby.Speaker.GetRoutesAsync(BgpPrefix.Parse("0.0.0.0/0")));
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
