using System.Net;
using System.Net.NetworkInformation;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Links;
using Tabby.Felix.Netlink.Neighbors;
using Tabby.Felix.Netlink.Wire;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Felix.Tests.Netlink;

public sealed class NeighborTests
{
    [RootFact]
    public void Permanent_arp_and_ndp_entries_are_written_read_back_and_deleted()
    {
        using var t = new NamespaceClient("neigh");
        t.Namespace.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
        t.Namespace.AddAddress("eth0", "192.0.2.1/24");
        var eth0 = t.IndexOf("eth0");
        var mac = PhysicalAddress.Parse("EE-EE-EE-EE-EE-01");
        var v4 = new Neighbor(eth0, IPAddress.Parse("192.0.2.7")) { LinkLayerAddress = mac };
        var v6 = new Neighbor(eth0, IPAddress.Parse("2001:db8::7")) { LinkLayerAddress = mac };

        t.Client.ReplaceNeighbor(v4);
        t.Client.ReplaceNeighbor(v6);
        t.Client.ReplaceNeighbor(v4);

        var ours = t.Client.ListNeighbors(interfaceIndex: eth0);
        Assert.Contains(v4, ours);
        Assert.Contains(v6, ours);
        var theirs = t.IpJson("neigh", "show", "dev", "eth0").EnumerateArray()
            .Select(n => (n.GetProperty("dst").GetString(), n.GetProperty("lladdr").GetString(), n.GetProperty("state")[0].GetString()))
            .ToList();
        Assert.Contains(("192.0.2.7", "ee:ee:ee:ee:ee:01", "PERMANENT"), theirs);
        Assert.Contains(("2001:db8::7", "ee:ee:ee:ee:ee:01", "PERMANENT"), theirs);

        t.Client.DeleteNeighbor(v4);
        Assert.DoesNotContain(t.Client.ListNeighbors(Family.Inet, eth0), n => n.Destination.Equals(v4.Destination));
        Assert.Equal(Errno.ENOENT, Assert.Throws<NetlinkException>(() => t.Client.DeleteNeighbor(v4)).Errno);
    }

    [RootFact]
    public void Vxlan_fdb_entries_point_a_mac_at_a_remote_vtep()
    {
        using var t = new NamespaceClient("fdb");
        t.Namespace.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
        t.Namespace.AddAddress("eth0", "192.0.2.1/24");
        t.Client.CreateVxlan(new VxlanSpec("vxlan.calico", 4096, 4789) { Local = IPAddress.Parse("192.0.2.1"), ParentIndex = t.IndexOf("eth0") });
        var vxlan = t.IndexOf("vxlan.calico");
        var entry = new FdbEntry(vxlan, PhysicalAddress.Parse("66-00-00-00-00-02")) { Destination = IPAddress.Parse("192.0.2.2") };

        t.Client.ReplaceFdb(entry);
        Assert.Contains(entry, t.Client.ListFdb(vxlan));
        var json = t.Namespace.Exec("bridge", "-j", "fdb", "show", "dev", "vxlan.calico").StandardOutput;
        Assert.Contains("\"mac\":\"66:00:00:00:00:02\"", json, StringComparison.Ordinal);
        Assert.Contains("\"dst\":\"192.0.2.2\"", json, StringComparison.Ordinal);
        Assert.Contains("\"permanent\"", json, StringComparison.Ordinal);

        var moved = entry with { Destination = IPAddress.Parse("192.0.2.3") };
        t.Client.ReplaceFdb(moved);
        var entries = t.Client.ListFdb(vxlan).Where(e => e.HardwareAddress.Equals(entry.HardwareAddress)).ToList();
        Assert.Equal([moved], entries);

        t.Client.DeleteFdb(moved);
        Assert.DoesNotContain(t.Client.ListFdb(vxlan), e => e.HardwareAddress.Equals(entry.HardwareAddress));
    }
}
