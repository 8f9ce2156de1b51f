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
    private static string Config(uint localAs, uint tabbyAs, bool passive, int holdTime = 9) => $$"""
        [global.config]
          as = {{localAs}}
          router-id = "192.0.2.2"
        {{Neighbor("192.0.2.1", tabbyAs, passive, "ipv4-unicast", holdTime)}}
        {{Neighbor("2001:db8::1", tabbyAs, passive, "ipv6-unicast", holdTime)}}
        """;

    private static string Neighbor(string address, uint asn, bool passive, string family, int holdTime) => $$"""
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
          [[neighbors.afi-safis]]
            [neighbors.afi-safis.config]
              afi-safi-name = "{{family}}"
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
    [InlineData(65001u, 65001u, Opener.Both)]
    [InlineData(65002u, 4200000001u, Opener.Both)]
    public async Task SessionsEstablishAndRoutesFlowBothWays(uint gobgpAs, uint tabbyAs, Opener opener)
    {
        using var net = await CreateAsync("gobgp");
        await using var gobgp = await GoBgpDaemon.StartAsync(net.Peer, Config(gobgpAs, tabbyAs, opener == Opener.Tabby), output);
        bool passive = opener == Opener.GoBgp;
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, tabbyAs, TabbyV4,
            [TabbyNode.Peer(PeerV4, gobgpAs, p => p with { Passive = passive }), TabbyNode.Peer(PeerV6, gobgpAs, p => p with { Passive = passive })], output);
        var marked = new RouteAttributes { Communities = [new Community(65001, 7)], LargeCommunities = [new LargeCommunity(65001, 3, 4)], Med = 50 };
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"), marked);
        tabby.Speaker.Originate(BgpPrefix.Parse("2001:db8:100::/48"), marked);
        await gobgp.GobgpAsync("global", "rib", "-a", "ipv4", "add", "203.0.113.0/24", "community", "65002:10", "large-community", "65002:1:2", "med", "33");
        await gobgp.GobgpAsync("global", "rib", "-a", "ipv6", "add", "2001:db8:200::/48", "nexthop", "2001:db8::2", "community", "65002:10");

        await gobgp.WaitEstablishedAsync(TabbyV4);
        await gobgp.WaitEstablishedAsync(TabbyV6);
        await Wait.UntilAsync(async () => (await gobgp.GlobalRibAsync("ipv4")).ContainsKey("198.51.100.0/24"), TimeSpan.FromSeconds(20),
            "GoBGP to learn 198.51.100.0/24", () => gobgp.GobgpAsync("global", "rib", "-a", "ipv4"));
        var v4 = await gobgp.GobgpAsync("global", "rib", "-a", "ipv4", "198.51.100.0/24");
        Assert.Contains("65001:7", v4);
        Assert.Contains("65001:3:4", v4);
        Assert.Contains("Med: 50", v4);
        Assert.Contains("192.0.2.1", v4);
        if (gobgpAs != tabbyAs) Assert.Contains(tabbyAs.ToString(System.Globalization.CultureInfo.InvariantCulture), v4);
        await Wait.UntilAsync(async () => (await gobgp.GlobalRibAsync("ipv6")).ContainsKey("2001:db8:100::/48"), TimeSpan.FromSeconds(20),
            "GoBGP to learn 2001:db8:100::/48", () => gobgp.GobgpAsync("global", "rib", "-a", "ipv6"));

        await tabby.WaitRouteAsync("203.0.113.0/24");
        var best = (await tabby.RouteAsync("203.0.113.0/24"))!.Paths.Single(p => p.Best);
        Assert.Contains("65002:10", best.Communities);
        Assert.Contains("65002:1:2", best.LargeCommunities);
        Assert.Equal(33u, best.Med);
        await tabby.WaitRouteAsync("2001:db8:200::/48");

        tabby.Speaker.Withdraw(BgpPrefix.Parse("198.51.100.0/24"));
        await Wait.UntilAsync(async () => !(await gobgp.GlobalRibAsync("ipv4")).ContainsKey("198.51.100.0/24"), TimeSpan.FromSeconds(20),
            "GoBGP to drop our route", () => gobgp.GobgpAsync("global", "rib", "-a", "ipv4"));
        await gobgp.GobgpAsync("global", "rib", "-a", "ipv4", "del", "203.0.113.0/24");
        await tabby.WaitNoRouteAsync("203.0.113.0/24");
    }

    [RootFact]
    public async Task WrongAsIsUnderstoodByGoBgp()
    {
        using var net = await CreateAsync("gobgp");
        await using var gobgp = await GoBgpDaemon.StartAsync(net.Peer, Config(65002, 65001, false), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65098)], output);
        // gobgpd counts the NOTIFICATIONs it received per neighbour.
        await Wait.UntilAsync(async () =>
            {
                var json = await gobgp.GobgpJsonAsync("neighbor", TabbyV4);
                return json.TryGetProperty("state", out var state) && state.TryGetProperty("messages", out var messages)
                    && messages.TryGetProperty("received", out var received) && received.TryGetProperty("notification", out var n) && n.GetInt64() > 0;
            },
            TimeSpan.FromSeconds(30), "gobgpd to count our NOTIFICATION", () => gobgp.GobgpAsync("neighbor", TabbyV4));
        Assert.Contains("Bad Peer AS", (await tabby.PeerAsync(PeerV4)).LastError);
        Assert.NotEqual(SessionState.Established, (await tabby.PeerAsync(PeerV4)).State);
    }

    [RootFact]
    public async Task HoldTimeOfOneSecondIsRejectedWithUnacceptableHoldTime()
    {
        using var net = await CreateAsync("gobgp");
        // gobgpd proposes a 1 s hold time; RFC 4271 section 6.2 makes us answer OPEN Message Error / Unacceptable Hold Time.
        await using var gobgp = await GoBgpDaemon.StartAsync(net.Peer, Config(65002, 65001, false, holdTime: 1), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        await Wait.UntilAsync(async () => (await tabby.PeerAsync(PeerV4)).LastError?.Contains("Unacceptable Hold Time", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "Tabby to reject hold time 1", async () => System.Text.Json.JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)) + gobgp.ReadLog());
        await Wait.UntilAsync(async () =>
            {
                var json = await gobgp.GobgpJsonAsync("neighbor", TabbyV4);
                return json.TryGetProperty("state", out var state) && state.TryGetProperty("messages", out var messages)
                    && messages.TryGetProperty("received", out var received) && received.TryGetProperty("notification", out var n) && n.GetInt64() > 0;
            },
            TimeSpan.FromSeconds(30), "gobgpd to count our NOTIFICATION", () => gobgp.GobgpAsync("neighbor", TabbyV4));
        Assert.NotEqual(SessionState.Established, (await tabby.PeerAsync(PeerV4)).State);
    }
}
