using System.Net;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Xunit;

namespace Tabby.Interop.Tests.Frr;

/// <summary>Route reflection (RFC 4456) with FRR: Tabby as client of an FRR reflector, and FRR as client of Tabby.</summary>
public sealed class FrrRouteReflectionTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task TabbyIsAClientOfAnFrrReflector()
    {
        // 192.0.2.1 Tabby (client), 192.0.2.2 FRR (reflector), 192.0.2.3 BIRD (client).
        using var lan = await Lan.CreateAsync("frr", "bird");
        await using var frr = await FrrBgpDaemon.StartAsync(lan.Others[0], """
            frr defaults traditional
            hostname rr
            router bgp 65000
             bgp router-id 192.0.2.2
             bgp cluster-id 192.0.2.253
             no bgp network import-check
             neighbor 192.0.2.1 remote-as 65000
             neighbor 192.0.2.1 timers 3 9
             neighbor 192.0.2.1 timers connect 1
             neighbor 192.0.2.3 remote-as 65000
             neighbor 192.0.2.3 timers 3 9
             neighbor 192.0.2.3 timers connect 1
             address-family ipv4 unicast
              neighbor 192.0.2.1 route-reflector-client
              neighbor 192.0.2.3 route-reflector-client
             exit-address-family
            exit
            """, output);
        await using var bird = await BirdDaemon.StartAsync(lan.Others[1], """
            router id 192.0.2.3;
            protocol device {}
            protocol static s4 { ipv4; route 203.0.113.0/24 blackhole; }
            protocol bgp rr1 {
              local 192.0.2.3 as 65000;
              neighbor 192.0.2.2 as 65000;
              direct;
              connect delay time 1; connect retry time 1; error wait time 1, 4;
              hold time 9;
              ipv4 { import all; export all; };
            }
            """, output);
        await using var tabby = await TabbyNode.StartAsync(lan.Tabby, 65000, Lan.TabbyAddress, [TabbyNode.Peer(Lan.AddressOf(0), 65000)], output);
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"));

        await frr.WaitEstablishedAsync(Lan.TabbyAddress);
        await tabby.WaitRouteAsync("203.0.113.0/24");
        var reflected = (await tabby.RouteAsync("203.0.113.0/24"))!.Paths.Single(p => p.Best);
        Assert.Equal("192.0.2.3", reflected.OriginatorId);
        Assert.Equal(["192.0.2.253"], reflected.ClusterList);
        Assert.Equal("192.0.2.3", reflected.NextHop);

        // Our route reaches the other client through the reflector.
        await Wait.UntilAsync(async () => (await bird.ShowRouteAsync("protocol", "rr1")).Contains("198.51.100.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "BIRD to learn our route through FRR", () => bird.ShowRouteAsync("all"));
        var atBird = await bird.ShowRouteAsync("198.51.100.0/24", "all");
        Assert.Contains("BGP.originator_id: 192.0.2.1", atBird);
        Assert.Contains("BGP.cluster_list: 192.0.2.253", atBird);
    }

    [RootFact]
    public async Task FrrIsAClientOfTabby()
    {
        // 192.0.2.1 Tabby (reflector), 192.0.2.2 FRR (client), 192.0.2.3 BIRD (client).
        using var lan = await Lan.CreateAsync("frr", "bird");
        await using var frr = await FrrBgpDaemon.StartAsync(lan.Others[0], """
            frr defaults traditional
            hostname c1
            router bgp 65000
             bgp router-id 192.0.2.2
             no bgp network import-check
             neighbor 192.0.2.1 remote-as 65000
             neighbor 192.0.2.1 timers 3 9
             neighbor 192.0.2.1 timers connect 1
             address-family ipv4 unicast
              network 203.0.113.0/24
             exit-address-family
            exit
            """, output);
        await using var bird = await BirdDaemon.StartAsync(lan.Others[1], """
            router id 192.0.2.3;
            protocol device {}
            protocol static s4 { ipv4; route 198.51.100.0/24 blackhole; }
            protocol bgp reflector {
              local 192.0.2.3 as 65000;
              neighbor 192.0.2.1 as 65000;
              direct;
              connect delay time 1; connect retry time 1; error wait time 1, 4;
              hold time 9;
              ipv4 { import all; export all; };
            }
            """, output);
        await using var tabby = await TabbyNode.StartAsync(lan.Tabby, 65000, Lan.TabbyAddress,
        [
            TabbyNode.Peer(Lan.AddressOf(0), 65000, p => p with { RouteReflectorClient = true }),
            TabbyNode.Peer(Lan.AddressOf(1), 65000, p => p with { RouteReflectorClient = true }),
        ], output, o => o with { ClusterId = IPAddress.Parse("192.0.2.254") });

        await frr.WaitEstablishedAsync(Lan.TabbyAddress);
        await Wait.UntilAsync(async () => (await frr.VtyshAsync("show bgp ipv4 unicast")).Contains("198.51.100.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "FRR to learn BIRD's route through Tabby", () => frr.VtyshAsync("show bgp ipv4 unicast"));
        var atFrr = await frr.VtyshAsync("show bgp ipv4 unicast 198.51.100.0/24");
        Assert.Contains("Originator: 192.0.2.3", atFrr);
        Assert.Contains("Cluster list: 192.0.2.254", atFrr);
        await Wait.UntilAsync(async () => (await bird.ShowRouteAsync("protocol", "reflector")).Contains("203.0.113.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "BIRD to learn FRR's route through Tabby", () => bird.ShowRouteAsync("all"));
    }
}
