using System.Net;
using System.Net.NetworkInformation;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Links;
using Tabby.Felix.Netlink.Neighbors;
using Tabby.Felix.Netlink.Wire;
using Tabby.Felix.Tunnels;
using Tabby.Testing;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Felix.Tests.Tunnels;

public sealed class VxlanTunnelTests
{
    private static readonly IPAddress NodeIp = IPAddress.Parse("192.0.2.10");

    private static NamespaceClient Node()
    {
        var t = new NamespaceClient("vxlandev");
        t.Namespace.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
        t.Namespace.AddAddress("eth0", "192.0.2.10/24");
        return t;
    }

    [Fact]
    public void Derived_vtep_macs_are_stable_unicast_and_locally_administered()
    {
        var a = VxlanTunnel.MacForNode("node-a").GetAddressBytes();
        Assert.Equal(a, VxlanTunnel.MacForNode("node-a").GetAddressBytes());
        Assert.NotEqual(a, VxlanTunnel.MacForNode("node-b").GetAddressBytes());
        Assert.Equal(0x02, a[0] & 0x03);
    }

    [RootFact]
    public void The_device_is_created_with_calico_parameters_and_repaired_when_changed()
    {
        using var t = Node();
        var mac = VxlanTunnel.MacForNode("node-a");
        var config = new VxlanTunnelConfig(NodeIp, IPAddress.Parse("10.68.0.1"), mac, 1450);
        var link = new VxlanTunnel(t.Client).Ensure(config);

        Assert.Equal("vxlan.calico", link.Name);
        Assert.True(link.IsUp);
        Assert.Equal(1450, link.Mtu);
        Assert.Equal(mac, link.HardwareAddress);
        Assert.Equal(new VxlanInfo(4096, 4789, NodeIp, t.IndexOf("eth0"), false), link.Vxlan);
        Assert.Equal([IPAddress.Parse("10.68.0.1")], t.Client.ListAddresses(Family.Inet, link.Index).Select(a => a.Address));

        // Ensuring again finds everything in place: same device, nothing recreated.
        Assert.Equal(link.Index, new VxlanTunnel(t.Client).Ensure(config).Index);

        // Someone changes the VNI: the device is recreated; MTU and MAC are fixed in place.
        t.Namespace.Ip("link", "del", "vxlan.calico");
        t.Namespace.Ip("link", "add", "vxlan.calico", "type", "vxlan", "id", "7", "dstport", "4789", "dev", "eth0");
        link = new VxlanTunnel(t.Client).Ensure(config);
        Assert.Equal(4096u, link.Vxlan!.Vni);
        Assert.Equal(mac, link.HardwareAddress);
        t.Namespace.Ip("link", "set", "vxlan.calico", "mtu", "1300");
        Assert.Equal(1450, new VxlanTunnel(t.Client).Ensure(config).Mtu);
    }

    [RootFact]
    public async Task Vtep_neighbours_and_fdb_entries_follow_the_remote_nodes_and_heal()
    {
        using var t = Node();
        using var monitor = NetlinkMonitor.StartInNamespace(t.Namespace.NamespacePath);
        var link = new VxlanTunnel(t.Client).Ensure(new VxlanTunnelConfig(NodeIp, IPAddress.Parse("10.68.0.1"), VxlanTunnel.MacForNode("a"), 1450));
        var table = new VtepTable(t.Client);
        var b = new RemoteVtep("b", IPAddress.Parse("10.68.1.1"), VxlanTunnel.MacForNode("b"), IPAddress.Parse("192.0.2.11"));
        var c = new RemoteVtep("c", IPAddress.Parse("10.68.2.1"), VxlanTunnel.MacForNode("c"), IPAddress.Parse("192.0.2.12"));
        table.SetVteps([b, c]);

        Assert.Equal(new VtepSyncResult(2, 0, 2, 0), table.Sync());
        Assert.Equal(new VtepSyncResult(0, 0, 0, 0), table.Sync());
        AssertVteps(t, link.Index, b, c);
        var shown = t.Namespace.Ip("neigh", "show", "dev", "vxlan.calico").StandardOutput;
        Assert.Contains($"10.68.1.1 lladdr {b.HardwareAddress.ToString().ToLowerInvariant().Chunk(2).Select(x => new string(x)).Aggregate((x, y) => x + ":" + y)} PERMANENT", shown, StringComparison.Ordinal);

        // c leaves, b moves to another host address.
        var moved = b with { HostAddress = IPAddress.Parse("192.0.2.21") };
        table.SetVteps([moved]);
        Assert.Equal(new VtepSyncResult(0, 1, 1, 2), table.Sync());
        AssertVteps(t, link.Index, moved);

        // Someone deletes our entries: the monitor-driven loop puts them back.
        using var stop = new CancellationTokenSource();
        var run = table.RunAsync(TimeSpan.FromSeconds(30), monitor, stop.Token);
        try
        {
            t.Namespace.Ip("neigh", "del", "10.68.1.1", "dev", "vxlan.calico");
            t.Namespace.Exec("bridge", "fdb", "del", moved.HardwareAddress.ToString().Chunk(2).Select(x => new string(x)).Aggregate((x, y) => x + ":" + y), "dev", "vxlan.calico", "dst", "192.0.2.21", "self");
            await Wait.UntilAsync(() => Vteps(t, link.Index) == Expected(link.Index, moved), TimeSpan.FromSeconds(10), "neighbour and FDB repaired");
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }

    private static string Vteps(NamespaceClient t, int index) =>
        string.Join(";", t.Client.ListNeighbors(Family.Inet, index).Where(n => n.State == NeighborState.Permanent).Select(n => $"{n.Destination}={n.LinkLayerAddress}").Order())
        + "|" + string.Join(";", t.Client.ListFdb(index).Where(e => e.State == NeighborState.Permanent).Select(e => $"{e.HardwareAddress}={e.Destination}").Order());

    private static string Expected(int index, params RemoteVtep[] vteps) =>
        string.Join(";", vteps.Select(v => $"{v.TunnelAddress}={v.HardwareAddress}").Order())
        + "|" + string.Join(";", vteps.Select(v => $"{v.HardwareAddress}={v.HostAddress}").Order());

    private static void AssertVteps(NamespaceClient t, int index, params RemoteVtep[] vteps) =>
        Assert.Equal(Expected(index, vteps), Vteps(t, index));

    [Fact]
    public void Two_nodes_claiming_one_vtep_address_are_rejected()
    {
        var table = new VtepTable(null!);
        var a = new RemoteVtep("a", IPAddress.Parse("10.68.1.1"), PhysicalAddress.Parse("02-00-00-00-00-01"), IPAddress.Parse("192.0.2.1"));
        var error = Assert.Throws<ArgumentException>(() => table.SetVteps([a, a with { NodeName = "b" }]));
        Assert.Contains("claimed by both a and b", error.Message, StringComparison.Ordinal);
    }
}
