using System.Net;
using Tabby.Felix.RouteTable;
using Xunit;

namespace Tabby.Felix.Tests.RouteTable;

public sealed class BgpRouteBuilderTests
{
    private static readonly PoolTable Pools = new(
    [
        new RoutedPool(IPNetwork.Parse("10.64.0.0/16"), new PoolEncapsulation(Vxlan: EncapsulationMode.CrossSubnet)),
        new RoutedPool(IPNetwork.Parse("10.64.128.0/20"), new PoolEncapsulation(Ipip: EncapsulationMode.Always)),
        new RoutedPool(IPNetwork.Parse("10.70.0.0/16"), PoolEncapsulation.None),
    ]);

    private static readonly Dictionary<IPAddress, IPAddress> Vteps = new()
    {
        [IPAddress.Parse("192.0.2.2")] = IPAddress.Parse("10.64.0.1"),
        [IPAddress.Parse("198.51.100.3")] = IPAddress.Parse("10.64.1.1"),
    };

    private static readonly BgpRouteBuilder Builder = new(
        new EncapsulationRoutes([new LocalSubnet("eth0", IPNetwork.Parse("192.0.2.0/24"))]), Pools, ip => Vteps.GetValueOrDefault(ip));

    [Fact]
    public void The_most_specific_pool_decides()
    {
        Assert.Equal(EncapsulationMode.Always, Pools.EncapsulationOf(IPNetwork.Parse("10.64.130.0/26")).Ipip);
        Assert.Equal(EncapsulationMode.CrossSubnet, Pools.EncapsulationOf(IPNetwork.Parse("10.64.2.0/26")).Vxlan);
        Assert.Null(Pools.PoolOf(IPNetwork.Parse("10.64.0.0/15")));
        Assert.Null(Pools.PoolOf(IPNetwork.Parse("203.0.113.0/24")));
    }

    [Fact]
    public void Ecmp_next_hops_are_encapsulated_one_by_one()
    {
        var route = Builder.Build(IPNetwork.Parse("10.64.2.0/26"), [IPAddress.Parse("198.51.100.3"), IPAddress.Parse("192.0.2.2")]);
        Assert.Equal(
            [new DesiredNextHop(IPAddress.Parse("10.64.1.1"), "vxlan.calico", true), new DesiredNextHop(IPAddress.Parse("192.0.2.2"), "eth0")],
            route.NextHops);
    }

    [Fact]
    public void Routes_outside_every_pool_go_plainly_via_the_next_hop()
    {
        var route = Builder.Build(IPNetwork.Parse("203.0.113.0/24"), [IPAddress.Parse("192.0.2.254")]);
        Assert.Equal([new DesiredNextHop(IPAddress.Parse("192.0.2.254"), "eth0")], route.NextHops);
    }

    [Fact]
    public void A_vxlan_next_hop_without_a_known_vtep_is_an_error()
    {
        var error = Assert.Throws<ArgumentException>(() => Builder.Build(IPNetwork.Parse("10.64.3.0/26"), [IPAddress.Parse("198.51.100.9")]));
        Assert.Contains("VTEP", error.Message, StringComparison.Ordinal);
    }
}
