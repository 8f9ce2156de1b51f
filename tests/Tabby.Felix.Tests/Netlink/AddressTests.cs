using System.Net;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Addresses;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Felix.Tests.Netlink;

public sealed class AddressTests
{
    [RootFact]
    public void Addresses_of_both_families_are_added_listed_and_deleted()
    {
        using var t = new NamespaceClient("addr");
        t.Namespace.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
        var eth0 = t.IndexOf("eth0");
        var v4 = new InterfaceAddress(eth0, IPAddress.Parse("192.0.2.1"), 24);
        var v6 = new InterfaceAddress(eth0, IPAddress.Parse("2001:db8::1"), 64) { Flags = AddressCodec.NoDad };

        t.Client.AddAddress(v4);
        t.Client.AddAddress(v6);

        var ours = t.Client.ListAddresses(interfaceIndex: eth0);
        Assert.Contains(ours, a => a.Address.Equals(v4.Address) && a.PrefixLength == 24);
        Assert.Contains(ours, a => a.Address.Equals(v6.Address) && a.PrefixLength == 64);
        var theirs = t.IpJson("addr", "show", "dev", "eth0")[0].GetProperty("addr_info").EnumerateArray()
            .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}").ToList();
        Assert.Contains("192.0.2.1/24", theirs);
        Assert.Contains("2001:db8::1/64", theirs);

        var duplicate = Assert.Throws<NetlinkException>(() => t.Client.AddAddress(v4));
        Assert.Equal(Errno.EEXIST, duplicate.Errno);
        t.Client.ReplaceAddress(v4);

        t.Client.DeleteAddress(v4);
        t.Client.DeleteAddress(v6);
        Assert.DoesNotContain(t.Client.ListAddresses(interfaceIndex: eth0), a => a.Address.Equals(v4.Address) || a.Address.Equals(v6.Address));
        Assert.Equal(Errno.EADDRNOTAVAIL, Assert.Throws<NetlinkException>(() => t.Client.DeleteAddress(v4)).Errno);
    }
}
