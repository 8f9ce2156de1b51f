using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Xunit;
using static Tabby.Interop.Tests.Harness.TwoNodes;

namespace Tabby.Interop.Tests.Bird;

/// <summary>Sessions and route exchange with BIRD 2, asserted on BIRD's own view (birdc).</summary>
public sealed class BirdSessionTests(ITestOutputHelper output)
{
    /// <summary>Which side opens the TCP connection.</summary>
    public enum Opener
    {
        Tabby,
        Bird,
        Both,
    }

    [RootTheory]
    [InlineData(65002u, Opener.Tabby)]
    [InlineData(65002u, Opener.Bird)]
    [InlineData(65001u, Opener.Both)]
    public async Task SessionsEstablishAndRoutesFlowBothWays(uint birdAs, Opener opener)
    {
        using var net = await CreateAsync("bird");
        string birdOptions = opener == Opener.Tabby ? "passive on;" : "";
        bool tabbyPassive = opener == Opener.Bird;
        await using var bird = await BirdDaemon.StartAsync(net.Peer, BirdConfigs.Sessions(birdAs, 65001, options: birdOptions), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4,
        [
            TabbyNode.Peer(PeerV4, birdAs, p => p with { Passive = tabbyPassive }),
            TabbyNode.Peer(PeerV6, birdAs, p => p with { Passive = tabbyPassive }),
        ], output);
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"), Marked);
        tabby.Speaker.Originate(BgpPrefix.Parse("2001:db8:100::/48"), Marked);

        await bird.WaitEstablishedAsync("tabby4");
        await bird.WaitEstablishedAsync("tabby6");
        await tabby.WaitEstablishedAsync(PeerV4);
        await tabby.WaitEstablishedAsync(PeerV6);

        // BIRD's view of our routes.
        await Wait.UntilAsync(async () => (await bird.ShowRouteAsync("protocol", "tabby4")).Contains("198.51.100.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "BIRD to learn 198.51.100.0/24", () => bird.ShowRouteAsync("all"));
        var v4 = await bird.ShowRouteAsync("198.51.100.0/24", "all");
        Assert.Contains("BGP.community: (65001,7)", v4);
        Assert.Contains("BGP.large_community: (65001, 3, 4)", v4);
        Assert.Contains("BGP.med: 50", v4);
        Assert.Contains("BGP.next_hop: 192.0.2.1", v4);
        Assert.Contains(birdAs == 65001 ? "BGP.as_path: \n" : "BGP.as_path: 65001", v4 + "\n");
        await Wait.UntilAsync(async () => (await bird.ShowRouteAsync("protocol", "tabby6")).Contains("2001:db8:100::/48", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "BIRD to learn 2001:db8:100::/48", () => bird.ShowRouteAsync("all"));
        var v6 = await bird.ShowRouteAsync("2001:db8:100::/48", "all");
        Assert.Contains("BGP.community: (65001,7)", v6);
        Assert.Contains("BGP.next_hop: 2001:db8::1", v6);

        // Our view of BIRD's routes.
        await tabby.WaitRouteAsync("203.0.113.0/24");
        var best = (await tabby.RouteAsync("203.0.113.0/24"))!.Paths.Single(p => p.Best);
        Assert.Contains("65002:10", best.Communities);
        Assert.Contains("65002:1:2", best.LargeCommunities);
        Assert.Equal(33u, best.Med);
        Assert.Equal(PeerV4, best.NextHop);
        await tabby.WaitRouteAsync("2001:db8:200::/48");
        var best6 = (await tabby.RouteAsync("2001:db8:200::/48"))!.Paths.Single(p => p.Best);
        Assert.Contains("65002:10", best6.Communities);
        Assert.Equal(33u, best6.Med);

        // Withdrawals both ways.
        tabby.Speaker.Withdraw(BgpPrefix.Parse("198.51.100.0/24"));
        tabby.Speaker.Withdraw(BgpPrefix.Parse("2001:db8:100::/48"));
        await Wait.UntilAsync(async () => !(await bird.ShowRouteAsync("all")).Contains("198.51.100.0/24", StringComparison.Ordinal)
                && !(await bird.ShowRouteAsync("all")).Contains("2001:db8:100::/48", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "BIRD to drop our routes", () => bird.ShowRouteAsync("all"));
        await bird.BirdcAsync("disable", "s4");
        await bird.BirdcAsync("disable", "s6");
        await tabby.WaitNoRouteAsync("203.0.113.0/24");
        await tabby.WaitNoRouteAsync("2001:db8:200::/48");
    }
}
