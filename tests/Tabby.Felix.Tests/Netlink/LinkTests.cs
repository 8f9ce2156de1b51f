using System.Net;
using System.Net.NetworkInformation;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Links;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Felix.Tests.Netlink;

public sealed class LinkTests
{
    [RootFact]
    public void Veth_is_created_changed_read_back_and_deleted()
    {
        using var t = new NamespaceClient("links");
        t.Client.CreateVeth(new VethSpec("tv0", "tv1") { Mtu = 1400 });

        var a = t.Client.GetLink("tv0");
        Assert.NotNull(a);
        Assert.Equal("veth", a.Kind);
        Assert.Equal(1400, a.Mtu);
        Assert.False(a.IsUp);
        var b = t.Client.GetLink("tv1")!;
        Assert.Equal(b.Index, a.ParentIndex);

        var mac = PhysicalAddress.Parse("02-00-5E-10-00-01");
        t.Client.SetLinkMtu(a.Index, 1300);
        t.Client.SetLinkAddress(a.Index, mac);
        t.Client.SetLinkUp(a.Index);

        var listed = t.Client.ListLinks().Single(l => l.Name == "tv0");
        Assert.True(listed.IsUp);
        Assert.Equal(1300, listed.Mtu);
        Assert.Equal(mac, listed.HardwareAddress);

        var json = t.IpJson("-d", "link", "show", "dev", "tv0")[0];
        Assert.Equal(1300, json.GetProperty("mtu").GetInt32());
        Assert.Equal("02:00:5e:10:00:01", json.GetProperty("address").GetString());
        Assert.Contains("UP", json.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("veth", json.GetProperty("linkinfo").GetProperty("info_kind").GetString());

        t.Client.SetLinkUp(a.Index, up: false);
        Assert.False(t.Client.GetLink(a.Index)!.IsUp);

        t.Client.DeleteLink("tv0");
        Assert.Null(t.Client.GetLink("tv0"));
        Assert.Null(t.Client.GetLink("tv1"));
        Assert.Null(t.Client.GetLink(a.Index));
    }

    [RootFact]
    public void Vxlan_is_created_with_calico_parameters_and_read_back()
    {
        using var t = new NamespaceClient("vxlan");
        t.Namespace.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
        t.Namespace.AddAddress("eth0", "192.0.2.10/24");
        var eth0 = t.IndexOf("eth0");
        var mac = PhysicalAddress.Parse("66-E1-7A-00-00-01");

        t.Client.CreateVxlan(new VxlanSpec("vxlan.calico", 4096, 4789)
        {
            Local = IPAddress.Parse("192.0.2.10"),
            ParentIndex = eth0,
            Learning = false,
            Mtu = 1450,
            HardwareAddress = mac,
        });

        var link = t.Client.GetLink("vxlan.calico")!;
        Assert.Equal("vxlan", link.Kind);
        Assert.Equal(1450, link.Mtu);
        Assert.Equal(mac, link.HardwareAddress);
        Assert.Equal(new VxlanInfo(4096, 4789, IPAddress.Parse("192.0.2.10"), eth0, Learning: false), link.Vxlan);

        var data = t.IpJson("-d", "link", "show", "dev", "vxlan.calico")[0].GetProperty("linkinfo").GetProperty("info_data");
        Assert.Equal(4096, data.GetProperty("id").GetInt32());
        Assert.Equal(4789, data.GetProperty("port").GetInt32());
        Assert.Equal("192.0.2.10", data.GetProperty("local").GetString());
        Assert.Equal("eth0", data.GetProperty("link").GetString());
        Assert.False(data.GetProperty("learning").GetBoolean());

        var duplicate = Assert.Throws<NetlinkException>(() => t.Client.CreateVxlan(new VxlanSpec("vxlan.calico", 4096, 4789)));
        Assert.Equal(Errno.EEXIST, duplicate.Errno);
        Assert.Contains("EEXIST", duplicate.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public void Missing_devices_map_to_ENODEV()
    {
        using var t = new NamespaceClient("enodev");
        var setMtu = Assert.Throws<NetlinkException>(() => t.Client.SetLinkMtu(4242, 1400));
        Assert.Equal(Errno.ENODEV, setMtu.Errno);
        var delete = Assert.Throws<NetlinkException>(() => t.Client.DeleteLink("nosuchdev"));
        Assert.Equal(Errno.ENODEV, delete.Errno);
        Assert.Contains("ENODEV", delete.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public void Loopback_is_listed_like_ip_link_shows_it()
    {
        using var t = new NamespaceClient("lo");
        var ours = t.Client.ListLinks();
        var theirs = t.IpJson("link", "show").EnumerateArray().Select(l => (l.GetProperty("ifindex").GetInt32(), l.GetProperty("ifname").GetString())).ToList();
        Assert.Equal(theirs, ours.Select(l => (l.Index, (string?)l.Name)).ToList());
        Assert.True(ours.Single(l => l.Name == "lo").IsLoopback);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sixteen-chars-xx")]
    [InlineData("a/b")]
    [InlineData("a b")]
    public void Invalid_interface_names_are_rejected_before_the_kernel(string name) =>
        Assert.Throws<ArgumentException>(() => NetlinkClient.ValidateName(name));
}
