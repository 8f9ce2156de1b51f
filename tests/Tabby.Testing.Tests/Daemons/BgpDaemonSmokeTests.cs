using Tabby.Testing.Daemons;
using Tabby.Testing.Namespaces;
using Tabby.Testing.Xunit;
using Xunit;
using Xunit.Abstractions;

namespace Tabby.Testing.Tests.Daemons;

/// <summary>
/// Proves the harness before Tabby has a speaker: real daemons in two namespaces reach Established
/// and exchange routes, observed through each daemon's own view.
/// </summary>
public sealed class BgpDaemonSmokeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(60);

    private static string BirdConfig(string self, int asn, string neighbor, int neighborAs, string originate) => $$"""
        router id {{self}};
        protocol device {}
        protocol static originated { ipv4; route {{originate}} blackhole; }
        protocol bgp peer1 {
          local {{self}} as {{asn}};
          neighbor {{neighbor}} as {{neighborAs}};
          connect delay time 1;
          connect retry time 2;
          ipv4 { import all; export all; };
        }
        """;

    [RootFact]
    public async Task BirdAndGoBgpEstablishAndExchangeRoutes()
    {
        using var a = NetworkNamespace.Create("bird");
        using var b = NetworkNamespace.Create("gobgp");
        Veth.Connect(a, "eth0", b, "eth0", "192.0.2.1/24", "192.0.2.2/24");

        await using var bird = await BirdDaemon.StartAsync(a, BirdConfig("192.0.2.1", 65001, "192.0.2.2", 65002, "198.51.100.0/24"), output);
        await using var gobgp = await GoBgpDaemon.StartAsync(b, """
            [global.config]
              as = 65002
              router-id = "192.0.2.2"
            [[neighbors]]
              [neighbors.config]
                neighbor-address = "192.0.2.1"
                peer-as = 65001
            """, output);
        await gobgp.GobgpAsync("global", "rib", "add", "203.0.113.0/24", "-a", "ipv4");

        await bird.WaitEstablishedAsync("peer1", SessionTimeout);
        await gobgp.WaitEstablishedAsync("192.0.2.1", SessionTimeout);

        await Wait.UntilAsync(async () => (await gobgp.GlobalRibAsync()).ContainsKey("198.51.100.0/24"),
            TimeSpan.FromSeconds(20), "GoBGP to learn BIRD's route", async () => await gobgp.GobgpAsync("global", "rib"));
        await Wait.UntilAsync(async () => (await bird.ShowRouteAsync("protocol", "peer1")).Contains("203.0.113.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "BIRD to learn GoBGP's route", () => bird.ShowRouteAsync());
        var learned = await bird.ShowRouteAsync("203.0.113.0/24", "all");
        Assert.Contains("BGP.as_path: 65002", learned);
    }

    [RootFact]
    public async Task FrrAndBirdEstablishAndExchangeRoutes()
    {
        using var a = NetworkNamespace.Create("bird");
        using var b = NetworkNamespace.Create("frr");
        Veth.Connect(a, "eth0", b, "eth0", "192.0.2.1/24", "192.0.2.3/24");

        await using var bird = await BirdDaemon.StartAsync(a, BirdConfig("192.0.2.1", 65001, "192.0.2.3", 65003, "198.51.100.0/24"), output);
        await using var frr = await FrrBgpDaemon.StartAsync(b, """
            frr defaults traditional
            hostname frr
            router bgp 65003
             bgp router-id 192.0.2.3
             no bgp ebgp-requires-policy
             neighbor 192.0.2.1 remote-as 65001
             neighbor 192.0.2.1 timers connect 2
             address-family ipv4 unicast
              network 203.0.113.0/24
             exit-address-family
            ip route 203.0.113.0/24 blackhole
            """, output);

        await frr.WaitEstablishedAsync("192.0.2.1", SessionTimeout);
        await bird.WaitEstablishedAsync("peer1", SessionTimeout);
        await Wait.UntilAsync(async () => (await frr.VtyshAsync("show bgp ipv4 unicast")).Contains("198.51.100.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "bgpd to learn BIRD's route", () => frr.VtyshAsync("show bgp ipv4 unicast"));
    }

    [RootFact]
    public async Task ExaBgpAnnouncesToBird()
    {
        using var a = NetworkNamespace.Create("bird");
        using var b = NetworkNamespace.Create("exabgp");
        Veth.Connect(a, "eth0", b, "eth0", "192.0.2.1/24", "192.0.2.4/24");

        await using var bird = await BirdDaemon.StartAsync(a, BirdConfig("192.0.2.1", 65001, "192.0.2.4", 65004, "198.51.100.0/24"), output);
        await using var exabgp = await ExaBgpDaemon.StartAsync(b, """
            neighbor 192.0.2.1 {
              router-id 192.0.2.4;
              local-address 192.0.2.4;
              local-as 65004;
              peer-as 65001;
              static {
                route 198.18.0.0/24 next-hop 192.0.2.4 community [65004:1];
              }
            }
            """, output);

        await bird.WaitEstablishedAsync("peer1", SessionTimeout);
        await Wait.UntilAsync(async () => (await bird.ShowRouteAsync("protocol", "peer1")).Contains("198.18.0.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "BIRD to learn ExaBGP's route", () => bird.ShowRouteAsync());
        var route = await bird.ShowRouteAsync("198.18.0.0/24", "all");
        Assert.Contains("(65004,1)", route);
        Assert.True(exabgp.IsConnectedTo("192.0.2.1"), exabgp.ReadLog());
    }
}
