using Tabby.Bgp.Fsm;
using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Xunit;
using static Tabby.Interop.Tests.Harness.TwoNodes;

namespace Tabby.Interop.Tests.GoBgp;

/// <summary>Sessions and routes with GoBGP, asserted on the gobgp CLI's view.</summary>
public sealed class GoBgpSessionTests(ITestOutputHelper output)
{
    /// <param name="ipv6Neighbor">
    /// Also configure 2001:db8::1. Leave it out when Tabby has no IPv6 session: a restarting gobgpd
    /// defers all its UPDATEs until every configured graceful-restart neighbour sent End-of-RIB.
    /// </param>
    internal static string Config(uint localAs, uint tabbyAs, bool passive, int holdTime = 9, bool gracefulRestart = false, bool ipv6Neighbor = true) => $$"""
        [global.config]
          as = {{localAs}}
          router-id = "192.0.2.2"
        {{Neighbor("192.0.2.1", tabbyAs, passive, "ipv4-unicast", holdTime, gracefulRestart)}}
        {{(ipv6Neighbor ? Neighbor("2001:db8::1", tabbyAs, passive, "ipv6-unicast", holdTime, gracefulRestart) : "")}}
        """;

    private static string Neighbor(string address, uint asn, bool passive, string family, int holdTime, bool gracefulRestart) => $$"""
        [[neighbors]]
          [neighbors.config]
            neighbor-address = "{{address}}"
            peer-as = {{asn}}
          [neighbors.timers.config]
            connect-retry = 1
            hold-time = {{holdTime}}
            keepalive-interval = {{Math.Max(1, holdTime / 3)}}
          [neighbors.transport.config]
            passive-mode = {{(passive ? "true" : "false")}}
          [neighbors.graceful-restart.config]
            enabled = {{(gracefulRestart ? "true" : "false")}}
            restart-time = 60
          [[neighbors.afi-safis]]
            [neighbors.afi-safis.config]
              afi-safi-name = "{{family}}"
            [neighbors.afi-safis.mp-graceful-restart.config]
              enabled = {{(gracefulRestart ? "true" : "false")}}
        """;

    public enum Opener
    {
        Tabby,
        GoBgp,
        Both,
    }

    [RootTheory]
    [InlineData(65002u, 65001u, Opener.Tabby)]
    [InlineData(65002u, 65001u, Opener.GoBgp)]
    [InlineData(65002u, 65001u, Opener.Both)]
    [InlineData(65001u, 65001u, Opener.Tabby)]
    [InlineData(65001u, 65001u, Opener.GoBgp)]
    [InlineData(65001u, 65001u, Opener.Both)]
    // A 4-octet AS for us. gobgpd always announces the 4-octet AS capability (there is no setting
    // to turn it off), so it cannot be the 2-octet-only peer of the AS_TRANS case; that case runs
    // against ExaBGP ("asn4 disable"), FRR ("dont-capability-negotiate") and BIRD ("enable as4 off").
    [InlineData(65002u, 4200000001u, Opener.Both)]
    public async Task SessionsEstablishAndRoutesFlowBothWays(uint gobgpAs, uint tabbyAs, Opener opener)
    {
        using var net = await CreateAsync("gobgp");
        await using var gobgp = await GoBgpDaemon.StartAsync(net.Peer, Config(gobgpAs, tabbyAs, opener == Opener.Tabby), output);
        bool passive = opener == Opener.GoBgp;
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, tabbyAs, TabbyV4,
            [TabbyNode.Peer(PeerV4, gobgpAs, p => p with { Passive = passive }), TabbyNode.Peer(PeerV6, gobgpAs, p => p with { Passive = passive })], output);
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"), Marked);
        tabby.Speaker.Originate(BgpPrefix.Parse("2001:db8:100::/48"), Marked);
        await gobgp.GobgpAsync("global", "rib", "-a", "ipv4", "add", "203.0.113.0/24", "community", "65002:10", "large-community", "65002:1:2", "med", "33");
        await gobgp.GobgpAsync("global", "rib", "-a", "ipv6", "add", "2001:db8:200::/48", "nexthop", "2001:db8::2", "community", "65002:10", "large-community", "65002:1:2", "med", "33");

        await gobgp.WaitEstablishedAsync(TabbyV4);
        await gobgp.WaitEstablishedAsync(TabbyV6);

        // GoBGP's view of our routes.
        foreach (var (family, prefix, nextHop) in new[] { ("ipv4", "198.51.100.0/24", TabbyV4), ("ipv6", "2001:db8:100::/48", TabbyV6) })
        {
            await Wait.UntilAsync(async () => (await gobgp.GlobalRibAsync(family)).ContainsKey(prefix), TimeSpan.FromSeconds(20),
                $"GoBGP to learn {prefix}", () => gobgp.GobgpAsync("global", "rib", "-a", family));
            var text = await gobgp.GobgpAsync("global", "rib", "-a", family, prefix);
            Assert.Contains("65001:7", text);
            Assert.Contains("65001:3:4", text);
            Assert.Contains("Med: 50", text);
            Assert.Contains(nextHop, text);
            if (gobgpAs != tabbyAs) Assert.Contains(tabbyAs.ToString(System.Globalization.CultureInfo.InvariantCulture), text);
        }

        // Our view of GoBGP's routes.
        foreach (var (prefix, nextHop) in new[] { ("203.0.113.0/24", PeerV4), ("2001:db8:200::/48", PeerV6) })
        {
            await tabby.WaitRouteAsync(prefix);
            var best = (await tabby.RouteAsync(prefix))!.Paths.Single(p => p.Best);
            Assert.Contains("65002:10", best.Communities);
            Assert.Contains("65002:1:2", best.LargeCommunities);
            Assert.Equal(33u, best.Med);
            Assert.Equal(nextHop, best.NextHop);
            Assert.Equal(gobgpAs == tabbyAs ? "" : "65002", best.AsPath);
        }

        // Withdrawals both ways.
        tabby.Speaker.Withdraw(BgpPrefix.Parse("198.51.100.0/24"));
        tabby.Speaker.Withdraw(BgpPrefix.Parse("2001:db8:100::/48"));
        await Wait.UntilAsync(async () => !(await gobgp.GlobalRibAsync("ipv4")).ContainsKey("198.51.100.0/24") && !(await gobgp.GlobalRibAsync("ipv6")).ContainsKey("2001:db8:100::/48"),
            TimeSpan.FromSeconds(20), "GoBGP to drop our routes", async () => await gobgp.GobgpAsync("global", "rib", "-a", "ipv4") + await gobgp.GobgpAsync("global", "rib", "-a", "ipv6"));
        await gobgp.GobgpAsync("global", "rib", "-a", "ipv4", "del", "203.0.113.0/24");
        await gobgp.GobgpAsync("global", "rib", "-a", "ipv6", "del", "2001:db8:200::/48");
        await tabby.WaitNoRouteAsync("203.0.113.0/24");
        await tabby.WaitNoRouteAsync("2001:db8:200::/48");
    }

    /// <summary>How many NOTIFICATIONs gobgpd counted as received from <paramref name="address"/>.</summary>
    private static async Task<long> NotificationsReceivedAsync(GoBgpDaemon gobgp, string address)
    {
        var json = await gobgp.GobgpJsonAsync("neighbor", address);
        return json.TryGetProperty("state", out var state) && state.TryGetProperty("messages", out var messages)
               && messages.TryGetProperty("received", out var received) && received.TryGetProperty("notification", out var n)
            ? n.GetInt64()
            : 0;
    }

    /// <summary>gobgpd's debug log records each NOTIFICATION it decoded in Established ("received notification", Code, Subcode).</summary>
    private static bool LoggedNotification(GoBgpDaemon gobgp, int code, int subcode) =>
        gobgp.ReadLog(1_000_000).Split('\n').Any(l => l.Contains("notification", StringComparison.OrdinalIgnoreCase)
            && l.Contains($"\"Code\":{code},", StringComparison.Ordinal) && l.Contains($"\"Subcode\":{subcode},", StringComparison.Ordinal));

    [RootFact]
    public async Task WrongAsOnOurSideIsUnderstoodByGoBgp()
    {
        using var net = await CreateAsync("gobgp");
        await using var gobgp = await GoBgpDaemon.StartAsync(net.Peer, Config(65002, 65001, false), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65098)], output);
        // We send our OPEN before the NOTIFICATION, so gobgpd is in OpenConfirm when the NOTIFICATION
        // arrives; there it counts the message but does not decode it (it logs "invalid message",
        // fsmStateReason 10), so its own view is the counter.
        await Wait.UntilAsync(async () => await NotificationsReceivedAsync(gobgp, TabbyV4) > 0,
            TimeSpan.FromSeconds(30), "gobgpd to count our NOTIFICATION", () => Task.FromResult(gobgp.ReadLog()));
        Assert.Contains("Bad Peer AS", (await tabby.PeerAsync(PeerV4)).LastError);
        Assert.NotEqual(SessionState.Established, (await tabby.PeerAsync(PeerV4)).State);
    }

    [RootFact]
    public async Task WrongAsOnGoBgpsSideIsUnderstoodByUs()
    {
        using var net = await CreateAsync("gobgp");
        await using var gobgp = await GoBgpDaemon.StartAsync(net.Peer, Config(65002, 65099, false), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        await Wait.UntilAsync(async () => (await tabby.PeerAsync(PeerV4)).LastError?.Contains("NOTIFICATION received: NOTIFICATION OPEN Message Error / Bad Peer AS", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "Tabby to record gobgpd's Bad Peer AS", async () => System.Text.Json.JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)) + gobgp.ReadLog());
    }

    [RootFact]
    public async Task HoldTimeOfOneSecondIsRejectedWithUnacceptableHoldTime()
    {
        using var net = await CreateAsync("gobgp");
        // gobgpd proposes a 1 s hold time; RFC 4271 section 6.2 makes us answer OPEN Message Error /
        // Unacceptable Hold Time (2/6). The other direction (the peer rejecting our hold time) is in
        // the BIRD and FRR tests: we cannot be configured below 3 s, and gobgpd has no minimum.
        await using var gobgp = await GoBgpDaemon.StartAsync(net.Peer, Config(65002, 65001, false, holdTime: 1), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        await Wait.UntilAsync(async () => (await tabby.PeerAsync(PeerV4)).LastError?.Contains("Unacceptable Hold Time", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "Tabby to reject hold time 1", async () => System.Text.Json.JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)) + gobgp.ReadLog());
        // As with Bad Peer AS, gobgpd is in OpenConfirm when our NOTIFICATION arrives and only counts it.
        await Wait.UntilAsync(async () => await NotificationsReceivedAsync(gobgp, TabbyV4) > 0,
            TimeSpan.FromSeconds(30), "gobgpd to count our NOTIFICATION", () => Task.FromResult(gobgp.ReadLog()));
        Assert.NotEqual(SessionState.Established, (await tabby.PeerAsync(PeerV4)).State);
    }

    [RootFact]
    public async Task MaxPrefixTearDownIsSeenByGoBgp()
    {
        using var net = await CreateAsync("gobgp");
        await using var gobgp = await GoBgpDaemon.StartAsync(net.Peer, Config(65002, 65001, false), output, ["-l", "debug"]);
        foreach (var prefix in new[] { "203.0.113.0/25", "203.0.113.128/25", "198.18.0.0/24" })
        {
            await gobgp.GobgpAsync("global", "rib", "-a", "ipv4", "add", prefix);
        }

        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4,
            [TabbyNode.Peer(PeerV4, 65002, p => p with { MaxPrefixes = 2, MaxPrefixRestartTime = TimeSpan.FromMinutes(5) })], output);
        // Cease (6) / Maximum Number of Prefixes Reached (1), RFC 4486.
        await Wait.UntilAsync(async () => await NotificationsReceivedAsync(gobgp, TabbyV4) > 0 && LoggedNotification(gobgp, 6, 1),
            TimeSpan.FromSeconds(30), "gobgpd to record Cease / Maximum Number of Prefixes Reached", () => Task.FromResult(gobgp.ReadLog()));
        var peer = await tabby.PeerAsync(PeerV4);
        Assert.Equal(SessionState.Idle, peer.State);
        Assert.Contains("above the limit of 2", peer.LastError);
        Assert.Empty(await tabby.Speaker.GetRoutesAsync(BgpPrefix.Parse("0.0.0.0/0")));
        Assert.NotEqual(GoBgpDaemon.SessionEstablished, await gobgp.SessionStateAsync(TabbyV4));
    }
}
