using System.Net;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.RouteTable;
using Xunit;

namespace Tabby.Felix.Tests.RouteTable;

public sealed class EncapsulationRoutesTests
{
    private static readonly EncapsulationRoutes Routes = new([new LocalSubnet("eth0", IPNetwork.Parse("192.0.2.0/24"))]);
    private static readonly IPNetwork Block = IPNetwork.Parse("10.66.0.0/26");
    private static readonly RemotePath SameSubnet = new(IPAddress.Parse("192.0.2.20"), IPAddress.Parse("10.66.9.1"));
    private static readonly RemotePath OtherSubnet = new(IPAddress.Parse("198.51.100.20"), IPAddress.Parse("10.66.9.2"));

    [Fact]
    public void Local_blocks_are_blackholes_and_workloads_are_device_routes()
    {
        Assert.Equal(RouteType.Blackhole, EncapsulationRoutes.LocalBlock(Block).Type);
        var workload = EncapsulationRoutes.Workload(IPAddress.Parse("10.66.0.5"), "cali12345");
        Assert.Equal(IPNetwork.Parse("10.66.0.5/32"), workload.Destination);
        Assert.Equal([new DesiredNextHop(null, "cali12345")], workload.NextHops);
    }

    [Fact]
    public void No_encapsulation_goes_via_the_node_on_the_shared_subnet() =>
        Assert.Equal([new DesiredNextHop(SameSubnet.NodeAddress, "eth0")], Routes.RemoteBlock(Block, PoolEncapsulation.None, [SameSubnet]).NextHops);

    [Fact]
    public void Ipip_goes_via_the_node_on_tunl0_onlink() =>
        Assert.Equal([new DesiredNextHop(SameSubnet.NodeAddress, "tunl0", true)],
            Routes.RemoteBlock(Block, new PoolEncapsulation(Ipip: EncapsulationMode.Always), [SameSubnet]).NextHops);

    [Fact]
    public void Vxlan_goes_via_the_remote_vtep_on_vxlan_calico_onlink() =>
        Assert.Equal([new DesiredNextHop(SameSubnet.VtepAddress, "vxlan.calico", true)],
            Routes.RemoteBlock(Block, new PoolEncapsulation(Vxlan: EncapsulationMode.Always), [SameSubnet]).NextHops);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CrossSubnet_encapsulates_only_next_hops_outside_the_local_subnets(bool vxlan)
    {
        var mode = vxlan ? new PoolEncapsulation(Vxlan: EncapsulationMode.CrossSubnet) : new PoolEncapsulation(Ipip: EncapsulationMode.CrossSubnet);
        Assert.Equal([new DesiredNextHop(SameSubnet.NodeAddress, "eth0")], Routes.RemoteBlock(Block, mode, [SameSubnet]).NextHops);
        var far = Routes.RemoteBlock(Block, mode, [OtherSubnet]).NextHops;
        Assert.Equal([vxlan ? new DesiredNextHop(OtherSubnet.VtepAddress, "vxlan.calico", true) : new DesiredNextHop(OtherSubnet.NodeAddress, "tunl0", true)], far);
    }

    [Fact]
    public void Several_best_paths_make_one_ecmp_route_in_a_stable_order()
    {
        var a = Routes.RemoteBlock(Block, new PoolEncapsulation(Ipip: EncapsulationMode.CrossSubnet), [OtherSubnet, SameSubnet]);
        var b = Routes.RemoteBlock(Block, new PoolEncapsulation(Ipip: EncapsulationMode.CrossSubnet), [SameSubnet, OtherSubnet]);
        Assert.Equal(2, a.NextHops.Count);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Invalid_combinations_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Routes.RemoteBlock(Block, new PoolEncapsulation(EncapsulationMode.Always, EncapsulationMode.Always), [SameSubnet]));
        Assert.Throws<ArgumentException>(() => Routes.RemoteBlock(Block, new PoolEncapsulation(Vxlan: EncapsulationMode.Always), [new RemotePath(IPAddress.Parse("192.0.2.3"))]));
        Assert.Throws<ArgumentException>(() => Routes.RemoteBlock(Block, PoolEncapsulation.None, []));
    }
}
