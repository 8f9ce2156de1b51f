using System.Net;
using Tabby.Cni.Tests.Support;
using Tabby.Testing.Namespaces;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Cni.Tests.Plugin;

/// <summary>Pods on two nodes reach each other once the routes between the nodes' blocks exist (what BGP or Felix would program).</summary>
public sealed class TwoNodeTests
{
    [RootFact]
    public async Task Pods_on_two_nodes_ping_each_other_over_IPv4_and_IPv6()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        await lab.AddPoolAsync("v6", "2001:db8:1::/120", 122);
        using var a = lab.Node("node-a");
        using var b = lab.Node("node-b");
        Veth.Connect(a.Host, "eth0", b.Host, "eth0", "192.0.2.1/24", "192.0.2.2/24");
        a.Host.AddAddress("eth0", "2001:db8:ff::1/64");
        b.Host.AddAddress("eth0", "2001:db8:ff::2/64");
        using var podA = a.CreatePod("client");
        using var podB = b.CreatePod("server");

        var addA = (await a.AddAsync(podA, a.Config(ipv6: true))).Addresses();
        var addB = (await b.AddAsync(podB, b.Config(ipv6: true))).Addresses();

        // Each node owns its own blocks (/26 and /122): route the peer's block via the peer.
        a.Host.Ip("route", "add", Block(addB[0], 26), "via", "192.0.2.2", "proto", "80");
        b.Host.Ip("route", "add", Block(addA[0], 26), "via", "192.0.2.1", "proto", "80");
        a.Host.Ip("-6", "route", "add", Block(addB[1], 122), "via", "2001:db8:ff::2", "proto", "80");
        b.Host.Ip("-6", "route", "add", Block(addA[1], 122), "via", "2001:db8:ff::1", "proto", "80");

        await podA.Netns.WaitReachableAsync(addB[0]);
        await podB.Netns.WaitReachableAsync(addA[0]);
        await podA.Netns.WaitReachableAsync(addB[1]);
        await podB.Netns.WaitReachableAsync(addA[1]);

        (await a.DelAsync(podA, a.Config(ipv6: true))).EnsureSuccess();
        (await b.DelAsync(podB, b.Config(ipv6: true))).EnsureSuccess();
        Assert.Equal((0, 0), await lab.IpamUsageAsync());
    }

    private static string Block(string address, int prefix) => $"{Mask(address, prefix)}/{prefix}";

    private static string Mask(string address, int prefix)
    {
        var bytes = IPAddress.Parse(address).GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes).ToString();
    }
}
