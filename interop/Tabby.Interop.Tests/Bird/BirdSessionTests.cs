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
    [InlineData(65002u, Opener.Both)]
    [InlineData(65001u, Opener.Tabby)]
    [InlineData(65001u, Opener.Bird)]
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
        foreach (var (protocol, prefix, nextHop) in new[] { ("tabby4", "198.51.100.0/24", TabbyV4), ("tabby6", "2001:db8:100::/48", TabbyV6) })
        {
            await Wait.UntilAsync(async () => (await bird.ShowRouteAsync("protocol", protocol)).Contains(prefix, StringComparison.Ordinal),
                TimeSpan.FromSeconds(20), $"BIRD to learn {prefix}", () => bird.ShowRouteAsync("all"));
            var text = await bird.ShowRouteAsync(prefix, "all");
            Assert.Contains("BGP.community: (65001,7)", text);
            Assert.Contains("BGP.large_community: (65001, 3, 4)", text);
            Assert.Contains("BGP.med: 50", text);
            Assert.Contains($"BGP.next_hop: {nextHop}", text);
            Assert.Contains(birdAs == 65001 ? "BGP.as_path: \n" : "BGP.as_path: 65001", text + "\n");
        }

        // Our view of BIRD's routes.
        foreach (var (prefix, nextHop) in new[] { ("203.0.113.0/24", PeerV4), ("2001:db8:200::/48", PeerV6) })
        {
            await tabby.WaitRouteAsync(prefix);
            var best = (await tabby.RouteAsync(prefix))!.Paths.Single(p => p.Best);
            Assert.Contains("65002:10", best.Communities);
            Assert.Contains("65002:1:2", best.LargeCommunities);
            Assert.Equal(33u, best.Med);
            Assert.Equal(nextHop, best.NextHop);
            Assert.Equal(birdAs == 65001 ? "" : "65002", best.AsPath);
        }

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

    private static string Speaker(string self, uint asn, string route, string options = "") => $$"""
        router id {{self}};
        protocol device {}
        protocol static s4 { ipv4; route {{route}} blackhole; }
        protocol bgp tabby {
          local {{self}} as {{asn}};
          neighbor 192.0.2.1 as 65001;
          connect delay time 1; connect retry time 1; error wait time 1, 4;
          hold time 9;
          {{options}}
          ipv4 { import all; export all; };
        }
        """;

    [RootFact]
    public async Task FourOctetAsCrossesATwoOctetOnlyPeerAsAsTrans()
    {
        // BIRD cannot be a 2-octet-only peer of a 4-octet AS: with "enable as4 off" it refuses a
        // 4-octet "neighbor as", yet still takes our AS from the capability we send and answers
        // "neighbor as 23456" with Bad Peer AS. So we (AS 65001) sit between an old BIRD ("enable
        // as4 off", 192.0.2.2) and a BIRD in AS 4200000002 (192.0.2.3): towards the old one the
        // 4-octet AS travels as AS_TRANS in AS_PATH and in full in AS4_PATH (RFC 6793 section 4.2.2).
        using var lan = await Lan.CreateAsync("old", "new");
        await using var old = await BirdDaemon.StartAsync(lan.Others[0], Speaker(Lan.AddressOf(0), 65002, "203.0.113.0/24", "enable as4 off;"), output);
        await using var @new = await BirdDaemon.StartAsync(lan.Others[1], Speaker(Lan.AddressOf(1), 4200000002, "198.18.0.0/24"), output);
        await using var tabby = await TabbyNode.StartAsync(lan.Tabby, 65001, Lan.TabbyAddress,
            [TabbyNode.Peer(Lan.AddressOf(0), 65002), TabbyNode.Peer(Lan.AddressOf(1), 4200000002)], output);
        await old.WaitEstablishedAsync("tabby");
        await @new.WaitEstablishedAsync("tabby");

        // The old speaker's view: BIRD rebuilds the path from AS_PATH (65001 23456) and AS4_PATH
        // (65001 4200000002), RFC 6793 section 4.2.3; without our AS4_PATH it would show 23456.
        await Wait.UntilAsync(async () => (await old.ShowRouteAsync("protocol", "tabby")).Contains("198.18.0.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "the old BIRD to learn 198.18.0.0/24", () => old.ShowRouteAsync("all"));
        Assert.Contains("BGP.as_path: 65001 4200000002", await old.ShowRouteAsync("198.18.0.0/24", "all"));

        // The old speaker's route reaches the 4-octet side with its 2-octet path intact.
        await tabby.WaitRouteAsync("203.0.113.0/24");
        Assert.Equal("65002", (await tabby.RouteAsync("203.0.113.0/24"))!.Paths.Single(p => p.Best).AsPath);
        await Wait.UntilAsync(async () => (await @new.ShowRouteAsync("protocol", "tabby")).Contains("203.0.113.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "the 4-octet BIRD to learn 203.0.113.0/24", () => @new.ShowRouteAsync("all"));
        Assert.Contains("BGP.as_path: 65001 65002", await @new.ShowRouteAsync("203.0.113.0/24", "all"));
        Assert.Equal("4200000002", (await tabby.RouteAsync("198.18.0.0/24"))!.Paths.Single(p => p.Best).AsPath);
    }
}
