using System.Net;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Links;
using Tabby.Felix.Netlink.Wire;
using Tabby.Felix.Tests.Netlink;
using Tabby.Felix.Tunnels;
using Xunit;

namespace Tabby.Felix.Tests.Tunnels;

public sealed class IpipTunnelTests
{
    [Fact]
    public void The_create_request_is_encoded_byte_for_byte()
    {
        using var w = new MessageWriter();
        w.BeginMessage(MessageType.NewLink, MessageFlags.Request | MessageFlags.Ack | MessageFlags.Create | MessageFlags.Exclusive, sequence: 1);
        LinkCodec.EncodeIpip(w, new IpipSpec("tunl0") { Mtu = 1480, Info = new IpipInfo(Local: IPAddress.Parse("192.0.2.1")) });
        w.EndMessage();

        var expected = Convert.FromHexString(string.Concat(
            "60000000", "1000", "0506", "01000000", "00000000",             // nlmsghdr: len 96, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE, seq 1, pid 0
            "00000000000000000000000000000000",                             // ifinfomsg
            "0a000300", "74756e6c30000000",                                 // IFLA_IFNAME "tunl0\0" + pad
            "08000400", "c8050000",                                         // IFLA_MTU 1480
            "2c001200",                                                     // IFLA_LINKINFO (44 bytes)
            "09000100", "6970697000000000",                                 //   IFLA_INFO_KIND "ipip\0" + pad
            "1c000200",                                                     //   IFLA_INFO_DATA (28 bytes)
            "08000200", "c0000201",                                         //     IFLA_IPTUN_LOCAL 192.0.2.1
            "05000400", "00000000",                                         //     IFLA_IPTUN_TTL 0 (inherit) + pad
            "05000a00", "01000000"));                                       //     IFLA_IPTUN_PMTUDISC 1 + pad
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(w.WrittenSpan));
    }

    [Fact]
    public void Parsing_the_kernels_answer_gives_back_the_parameters()
    {
        using var w = new MessageWriter();
        w.BeginMessage(MessageType.NewLink, 0, 1);
        LinkCodec.EncodeIpip(w, new IpipSpec("tunl0") { Mtu = 1480, Info = new IpipInfo(IPAddress.Parse("192.0.2.1"), null, 3, 64, false) });
        w.EndMessage();
        var message = Assert.Single(Messages(w.WrittenSpan.ToArray()));
        Assert.Equal("ipip", message.Kind);
        Assert.Equal(new IpipInfo(IPAddress.Parse("192.0.2.1"), null, 3, 64, false), message.Ipip);
    }

    private static List<Link> Messages(byte[] bytes)
    {
        var links = new List<Link>();
        foreach (var m in new MessageReader(bytes))
        {
            links.Add(LinkCodec.Parse(m)!);
        }

        return links;
    }

    [Fact]
    public void IPv6_endpoints_are_rejected_before_the_kernel()
    {
        using var w = new MessageWriter();
        Assert.Throws<ArgumentException>(() => LinkCodec.EncodeIpip(w, new IpipSpec("tunl0") { Info = new IpipInfo(Local: IPAddress.Parse("2001:db8::1")) }));
    }

    [Fact]
    public void A_kernel_without_ipip_is_reported_as_unsupported()
    {
        // The kernel answers RTM_GETLINK tunl0 with ENODEV and the create with EOPNOTSUPP ("Unknown device type").
        var transport = new ScriptedTransport(request => [ScriptedTransport.Datagram(w =>
        {
            w.BeginMessage(MessageType.Error, MessageFlags.Capped | MessageFlags.AckTlvs, request.Sequence, request.PortId);
            var errno = request.Type == MessageType.GetLink ? Errno.ENODEV : Errno.EOPNOTSUPP;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(w.Reserve(4), -(int)errno);
            w.Write(request);
            if (errno == Errno.EOPNOTSUPP)
            {
                w.AttributeString(ExtAckAttribute.Message, "Unknown device type");
            }

            w.EndMessage();
        })]);
        using var client = new NetlinkClient(new NetlinkSocket(transport));

        var error = Assert.Throws<TunnelUnsupportedException>(() => new IpipTunnel(client).Ensure(new IpipTunnelConfig(IPAddress.Parse("10.67.0.1"), 1480)));
        Assert.Equal("ipip", error.Kind);
        Assert.Contains("EOPNOTSUPP (Unknown device type)", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, transport.Sent.Count);
    }

    [RootFactIfNoIpip]
    public void This_kernel_refuses_ipip_devices_with_EOPNOTSUPP()
    {
        using var t = new NamespaceClient("noipip");
        var error = Assert.Throws<TunnelUnsupportedException>(() => new IpipTunnel(t.Client).Ensure(new IpipTunnelConfig(IPAddress.Parse("10.67.0.1"), 1480)));
        Assert.Equal(Errno.EOPNOTSUPP, Assert.IsType<NetlinkException>(error.InnerException).Errno);
        Assert.Null(t.Client.GetLink("tunl0"));
    }

    [IpipFact]
    public void Tunl0_is_set_up_with_address_and_mtu_on_kernels_with_ipip()
    {
        using var t = new NamespaceClient("ipip");
        var link = new IpipTunnel(t.Client).Ensure(new IpipTunnelConfig(IPAddress.Parse("10.67.0.1"), 1480));
        Assert.Equal("tunl0", link.Name);
        Assert.True(link.IsUp);
        Assert.Equal(1480, link.Mtu);
        Assert.Contains(t.Client.ListAddresses(Family.Inet, link.Index), a => a.Address.Equals(IPAddress.Parse("10.67.0.1")) && a.PrefixLength == 32);
        var json = t.IpJson("-d", "link", "show", "dev", "tunl0")[0];
        Assert.Equal("ipip", json.GetProperty("linkinfo").GetProperty("info_kind").GetString());

        // Idempotent, and the address moves when IPAM hands out another one.
        link = new IpipTunnel(t.Client).Ensure(new IpipTunnelConfig(IPAddress.Parse("10.67.0.2"), 1440));
        Assert.Equal(1440, link.Mtu);
        Assert.Equal([IPAddress.Parse("10.67.0.2")], t.Client.ListAddresses(Family.Inet, link.Index).Select(a => a.Address));
    }
}

/// <summary>Runs only where the kernel lacks IPIP (the error path is then the real behaviour).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactIfNoIpipAttribute : FactAttribute
{
    public RootFactIfNoIpipAttribute()
    {
        if (!Tabby.Testing.Privileges.IsRoot)
        {
            Skip = Tabby.Testing.Privileges.NotRootReason;
        }
        else if (KernelFeatures.HasIpip)
        {
            Skip = "this kernel has IPIP; the live test covers it";
        }
    }
}
