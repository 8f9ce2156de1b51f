using System.Net;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Xunit;

namespace Tabby.Interop.Tests.Bird;

/// <summary>Tabby as route reflector (RFC 4456) for two BIRD clients on one segment.</summary>
public sealed class BirdRouteReflectionTests(ITestOutputHelper output)
{
    private static string Client(string self, string route) => $$"""
        router id {{self}};
        protocol device {}
        protocol static s4 { ipv4; route {{route}} blackhole; }
        protocol bgp reflector {
          local {{self}} as 65000;
          neighbor 192.0.2.1 as 65000;
          connect delay time 1; connect retry time 1; error wait time 1, 4;
          hold time 9;
          direct;
          ipv4 { import all; export all; };
        }
        """;

    [RootFact]
    public async Task ClientRoutesAreReflectedWithOriginatorIdAndClusterList()
    {
        using var lan = await Lan.CreateAsync("c1", "c2");
        await using var c1 = await BirdDaemon.StartAsync(lan.Others[0], Client(Lan.AddressOf(0), "203.0.113.0/24"), output);
        await using var c2 = await BirdDaemon.StartAsync(lan.Others[1], Client(Lan.AddressOf(1), "198.51.100.0/24"), output);
        await using var tabby = await TabbyNode.StartAsync(lan.Tabby, 65000, Lan.TabbyAddress,
        [
            TabbyNode.Peer(Lan.AddressOf(0), 65000, p => p with { RouteReflectorClient = true }),
            TabbyNode.Peer(Lan.AddressOf(1), 65000, p => p with { RouteReflectorClient = true }),
        ], output, o => o with { ClusterId = IPAddress.Parse("192.0.2.254") });

        await c1.WaitEstablishedAsync("reflector");
        await c2.WaitEstablishedAsync("reflector");
        await Wait.UntilAsync(async () => (await c2.ShowRouteAsync("protocol", "reflector")).Contains("203.0.113.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "c2 to learn c1's route through the reflector", () => c2.ShowRouteAsync("all"));
        var reflected = await c2.ShowRouteAsync("203.0.113.0/24", "all");
        Assert.Contains("BGP.originator_id: 192.0.2.2", reflected);
        Assert.Contains("BGP.cluster_list: 192.0.2.254", reflected);
        Assert.Contains("BGP.next_hop: 192.0.2.2", reflected);
        await Wait.UntilAsync(async () => (await c1.ShowRouteAsync("protocol", "reflector")).Contains("198.51.100.0/24", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20), "c1 to learn c2's route through the reflector", () => c1.ShowRouteAsync("all"));
        // A client never gets its own route back (originator check on our side is also RFC 4456 section 8).
        Assert.DoesNotContain("203.0.113.0/24", await c1.ShowRouteAsync("protocol", "reflector"));
        var routes = await tabby.Speaker.GetStatusAsync();
        Assert.All(routes.Peers, p => Assert.Equal("ibgp rr-client", p.Type));
    }
}
