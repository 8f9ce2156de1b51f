using System.Net;
using System.Text.Json;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Xunit;
using static Tabby.Interop.Tests.Harness.TwoNodes;

namespace Tabby.Interop.Tests.ExaBgp;

/// <summary>
/// Sessions and routes with ExaBGP over one IPv4 session carrying IPv4 and IPv6 unicast. ExaBGP's
/// view of what we send is its own parse of our UPDATEs (see <see cref="ExaBgpPeer"/>).
/// </summary>
public sealed class ExaBgpSessionTests(ITestOutputHelper output)
{
    /// <summary>Which side opens the TCP connection.</summary>
    public enum Opener
    {
        Tabby,
        ExaBgp,
        Both,
    }

    internal static string[] Communities(JsonElement attributes) =>
        attributes.TryGetProperty("community", out var c) ? [.. c.EnumerateArray().Select(x => $"{x[0]}:{x[1]}")] : [];

    internal static string[] LargeCommunities(JsonElement attributes) =>
        attributes.TryGetProperty("large-community", out var c) ? [.. c.EnumerateArray().Select(x => $"{x[0]}:{x[1]}:{x[2]}")] : [];

    internal static string AsPath(JsonElement attributes) =>
        attributes.TryGetProperty("as-path", out var p) ? string.Join(' ', p.EnumerateArray().Select(x => x.ToString())) : "";

    [RootTheory]
    [InlineData(false, Opener.Tabby)]
    [InlineData(false, Opener.ExaBgp)]
    [InlineData(false, Opener.Both)]
    [InlineData(true, Opener.Tabby)]
    [InlineData(true, Opener.ExaBgp)]
    [InlineData(true, Opener.Both)]
    public async Task SessionsEstablishAndRoutesFlowBothWays(bool ibgp, Opener opener)
    {
        using var net = await CreateAsync("exabgp");
        uint exaAs = ibgp ? 65001u : 65002u;
        // ExaBGP listens only when exabgp.tcp.bind is set, and then still connects unless passive.
        await using var exabgp = await ExaBgpPeer.StartAsync(net, output, exaAs, 65001,
            listen: opener != Opener.ExaBgp, passive: opener == Opener.Tabby);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4,
            [TabbyNode.Peer(PeerV4, exaAs, p => p with { Passive = opener == Opener.ExaBgp, NextHopIpv6 = IPAddress.Parse(TabbyV6) })], output);
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"), Marked);
        tabby.Speaker.Originate(BgpPrefix.Parse("2001:db8:100::/48"), Marked);

        await tabby.WaitEstablishedAsync(PeerV4);
        Assert.Equal(ibgp ? "ibgp" : "ebgp", (await tabby.PeerAsync(PeerV4)).Type);

        // Our view of ExaBGP's routes.
        foreach (var (prefix, nextHop) in new[] { ("203.0.113.0/24", PeerV4), ("2001:db8:200::/48", PeerV6) })
        {
            await tabby.WaitRouteAsync(prefix);
            var best = (await tabby.RouteAsync(prefix))!.Paths.Single(p => p.Best);
            Assert.Contains("65002:10", best.Communities);
            Assert.Contains("65002:1:2", best.LargeCommunities);
            Assert.Equal(33u, best.Med);
            Assert.Equal(nextHop, best.NextHop);
            Assert.Equal(ibgp ? "" : "65002", best.AsPath);
        }

        // ExaBGP's view of ours.
        foreach (var (prefix, nextHop) in new[] { ("198.51.100.0/24", TabbyV4), ("2001:db8:100::/48", TabbyV6) })
        {
            var attributes = await exabgp.WaitRouteAsync(prefix);
            Assert.Equal(["65001:7"], Communities(attributes));
            Assert.Equal(["65001:3:4"], LargeCommunities(attributes));
            Assert.Equal(50, attributes.GetProperty("med").GetInt32());
            Assert.Equal(nextHop, attributes.GetProperty("next-hop").GetString());
            Assert.Equal(ibgp ? "" : "65001", AsPath(attributes));
        }

        // Withdrawals both ways.
        tabby.Speaker.Withdraw(BgpPrefix.Parse("198.51.100.0/24"));
        tabby.Speaker.Withdraw(BgpPrefix.Parse("2001:db8:100::/48"));
        await exabgp.WaitNoRouteAsync("198.51.100.0/24");
        await exabgp.WaitNoRouteAsync("2001:db8:100::/48");
        await exabgp.CommandAsync("withdraw route 203.0.113.0/24 next-hop 192.0.2.2");
        await exabgp.CommandAsync("withdraw route 2001:db8:200::/48 next-hop 2001:db8::2");
        await tabby.WaitNoRouteAsync("203.0.113.0/24");
        await tabby.WaitNoRouteAsync("2001:db8:200::/48");
        Assert.Equal(Tabby.Bgp.Fsm.SessionState.Established, (await tabby.PeerAsync(PeerV4)).State);
    }

    [RootFact]
    public async Task FourOctetAsWorksAgainstATwoOctetOnlyPeer()
    {
        using var net = await CreateAsync("exabgp");
        // ExaBGP without the 4-octet capability: we are AS_TRANS to it (RFC 6793 section 4.2) and
        // our real path travels in AS4_PATH.
        await using var exabgp = await ExaBgpPeer.StartAsync(net, output, 65002, 23456, extra: "capability { asn4 disable; }");
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 4200000001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"), Marked);
        await tabby.WaitEstablishedAsync(PeerV4);
        await tabby.WaitRouteAsync("203.0.113.0/24");
        Assert.Equal("65002", (await tabby.RouteAsync("203.0.113.0/24"))!.Paths[0].AsPath);
        var attributes = await exabgp.WaitRouteAsync("198.51.100.0/24");
        // ExaBGP is a new speaker that merely did not announce the capability: it rebuilds the
        // path from AS_PATH (23456) and AS4_PATH (4200000001), RFC 6793 section 4.2.3. The session
        // came up against "peer-as 23456", so our OPEN carried AS_TRANS.
        Assert.Equal("4200000001", AsPath(attributes));
        Assert.Equal(["65001:7"], Communities(attributes));
    }

    [RootFact]
    public async Task WrongAsOnOurSideIsUnderstoodByExaBgp()
    {
        using var net = await CreateAsync("exabgp");
        await using var exabgp = await ExaBgpPeer.StartAsync(net, output, 65002, 65001);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65098, p => p with { Passive = true })], output);
        // OPEN Message Error (2) / Bad Peer AS (2), RFC 4271 section 6.2.
        await Wait.UntilAsync(() => exabgp.ReceivedNotification(2, 2), TimeSpan.FromSeconds(30), "ExaBGP to record our Bad Peer AS NOTIFICATION",
            () => exabgp.Received() + exabgp.Daemon.ReadLog());
        Assert.Contains("NOTIFICATION sent: NOTIFICATION OPEN Message Error / Bad Peer AS", (await tabby.PeerAsync(PeerV4)).LastError);
    }

    [RootFact]
    public async Task WrongAsOnExaBgpsSideIsUnderstoodByUs()
    {
        using var net = await CreateAsync("exabgp");
        await using var exabgp = await ExaBgpPeer.StartAsync(net, output, 65002, 65099);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002, p => p with { Passive = true })], output);
        await Wait.UntilAsync(async () => (await tabby.PeerAsync(PeerV4)).LastError?.Contains("NOTIFICATION received: NOTIFICATION OPEN Message Error / Bad Peer AS", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "Tabby to record ExaBGP's Bad Peer AS", async () => JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)) + exabgp.Daemon.ReadLog());
        Assert.True(exabgp.SentNotification(2, 2), exabgp.Daemon.ReadLog());
    }

    [RootFact]
    public async Task MaxPrefixTearDownIsSeenByExaBgp()
    {
        using var net = await CreateAsync("exabgp");
        await using var exabgp = await ExaBgpPeer.StartAsync(net, output, 65002, 65001, routes: """
            route 203.0.113.0/25 next-hop 192.0.2.2;
            route 203.0.113.128/25 next-hop 192.0.2.2;
            """);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4,
            [TabbyNode.Peer(PeerV4, 65002, p => p with { Passive = true, MaxPrefixes = 2, MaxPrefixRestartTime = TimeSpan.FromMinutes(5) })], output);
        // At the limit: the session stays up.
        await tabby.WaitRouteAsync("203.0.113.0/25");
        await tabby.WaitRouteAsync("203.0.113.128/25");
        Assert.Equal(Tabby.Bgp.Fsm.SessionState.Established, (await tabby.PeerAsync(PeerV4)).State);

        // The third prefix arrives on a quiet session. (With all three announced at session start,
        // while ExaBGP is still sending its End-of-RIBs, ExaBGP twice in about 25 full-suite runs
        // had not reported our NOTIFICATION after 30-45 s; a packet capture of passing runs showed
        // a clean NOTIFICATION + FIN exchange, so the cause is not pinned down.)
        await exabgp.CommandAsync("announce route 198.18.0.0/24 next-hop 192.0.2.2");
        // Cease (6) / Maximum Number of Prefixes Reached (1), RFC 4486.
        await Wait.UntilAsync(() => Task.FromResult(exabgp.ReceivedNotification(6, 1)), TimeSpan.FromSeconds(30), "ExaBGP to record Cease / Maximum Number of Prefixes Reached",
            async () => JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)) + "\n" + exabgp.Received() + exabgp.Daemon.ReadLog());
        var peer = await tabby.PeerAsync(PeerV4);
        Assert.Equal(Tabby.Bgp.Fsm.SessionState.Idle, peer.State);
        Assert.Contains("above the limit of 2", peer.LastError);
        Assert.Empty(await tabby.Speaker.GetRoutesAsync(BgpPrefix.Parse("0.0.0.0/0")));
    }

    // Hold time 1 cannot be produced in either direction with ExaBGP: its configuration parser
    // refuses "hold-time 1" ("holdtime must be zero or at least three seconds"), and ours refuses it
    // too (PeerConfig.Validate). Our Unacceptable Hold Time NOTIFICATION is checked against GoBGP,
    // which proposes 1 s; the peer's Unacceptable Hold Time is checked with BIRD ("min hold time")
    // and FRR ("bgp minimum-holdtime").
}
