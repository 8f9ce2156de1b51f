using System.Net;
using System.Net.NetworkInformation;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.Netlink.Links;

/// <summary>Encodes link requests and parses RTM_NEWLINK replies; one encode/parse pair per link kind.</summary>
public static class LinkCodec
{
    private static readonly AttributePolicy Policy = new("RTM_NEWLINK",
        (LinkAttr.Name, "IFLA_IFNAME", AttributeShape.String),
        (LinkAttr.Mtu, "IFLA_MTU", AttributeShape.U32),
        (LinkAttr.Link, "IFLA_LINK", AttributeShape.U32),
        (LinkAttr.Master, "IFLA_MASTER", AttributeShape.U32),
        (LinkAttr.OperState, "IFLA_OPERSTATE", AttributeShape.U8),
        (LinkAttr.Address, "IFLA_ADDRESS", AttributeShape.LinkLayerAddress),
        (LinkAttr.LinkInfo, "IFLA_LINKINFO", AttributeShape.Nested));

    private static readonly AttributePolicy InfoPolicy = new("IFLA_LINKINFO",
        (LinkAttr.InfoKind, "IFLA_INFO_KIND", AttributeShape.String),
        (LinkAttr.InfoData, "IFLA_INFO_DATA", AttributeShape.Nested));

    private static readonly AttributePolicy VxlanPolicy = new("IFLA_INFO_DATA(vxlan)",
        (VxlanAttr.Id, "IFLA_VXLAN_ID", AttributeShape.U32),
        (VxlanAttr.Link, "IFLA_VXLAN_LINK", AttributeShape.U32),
        (VxlanAttr.Local, "IFLA_VXLAN_LOCAL", AttributeShape.Address),
        (VxlanAttr.Local6, "IFLA_VXLAN_LOCAL6", AttributeShape.Address),
        (VxlanAttr.Learning, "IFLA_VXLAN_LEARNING", AttributeShape.U8),
        (VxlanAttr.Port, "IFLA_VXLAN_PORT", AttributeShape.U16));

    private static readonly AttributePolicy IpipPolicy = new("IFLA_INFO_DATA(ipip)",
        (IpTunnelAttr.Link, "IFLA_IPTUN_LINK", AttributeShape.U32),
        (IpTunnelAttr.Local, "IFLA_IPTUN_LOCAL", AttributeShape.Address),
        (IpTunnelAttr.Remote, "IFLA_IPTUN_REMOTE", AttributeShape.Address),
        (IpTunnelAttr.Ttl, "IFLA_IPTUN_TTL", AttributeShape.U8),
        (IpTunnelAttr.PmtuDiscovery, "IFLA_IPTUN_PMTUDISC", AttributeShape.U8));

    /// <summary>The body of <c>ip link add NAME type veth peer name PEER</c>.</summary>
    public static void EncodeVeth(MessageWriter w, VethSpec spec)
    {
        w.Write(new IfInfoMsg());
        w.AttributeString(LinkAttr.Name, spec.Name);
        if (spec.Mtu is { } mtu)
        {
            w.AttributeU32(LinkAttr.Mtu, (uint)mtu);
        }

        var info = w.BeginContainer(LinkAttr.LinkInfo);
        w.AttributeString(LinkAttr.InfoKind, "veth");
        var data = w.BeginContainer(LinkAttr.InfoData);
        var peer = w.BeginContainer(LinkAttr.VethInfoPeer);
        w.Write(new IfInfoMsg());
        w.AttributeString(LinkAttr.Name, spec.PeerName);
        if (spec.Mtu is { } peerMtu)
        {
            w.AttributeU32(LinkAttr.Mtu, (uint)peerMtu);
        }

        if (spec.PeerNamespaceFd is { } fd)
        {
            w.AttributeU32(LinkAttr.NetNsFd, (uint)fd);
        }

        w.EndNested(peer);
        w.EndNested(data);
        w.EndNested(info);
    }

    /// <summary>The body of <c>ip link add NAME type vxlan id VNI dstport PORT [local IP] [dev PARENT] nolearning</c>.</summary>
    public static void EncodeVxlan(MessageWriter w, VxlanSpec spec)
    {
        w.Write(new IfInfoMsg());
        w.AttributeString(LinkAttr.Name, spec.Name);
        if (spec.Mtu is { } mtu)
        {
            w.AttributeU32(LinkAttr.Mtu, (uint)mtu);
        }

        if (spec.HardwareAddress is { } mac)
        {
            w.Attribute(LinkAttr.Address, mac.GetAddressBytes());
        }

        var info = w.BeginContainer(LinkAttr.LinkInfo);
        w.AttributeString(LinkAttr.InfoKind, "vxlan");
        var data = w.BeginContainer(LinkAttr.InfoData);
        w.AttributeU32(VxlanAttr.Id, spec.Vni);
        if (spec.Local is { } local)
        {
            w.AttributeAddress(local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? VxlanAttr.Local : VxlanAttr.Local6, local);
        }

        if (spec.ParentIndex is { } parent)
        {
            w.AttributeU32(VxlanAttr.Link, (uint)parent);
        }

        // The UDP port travels in network byte order (the kernel stores it as __be16).
        w.AttributeU16BigEndian(VxlanAttr.Port, spec.Port);
        w.AttributeU8(VxlanAttr.Learning, spec.Learning ? (byte)1 : (byte)0);
        w.EndNested(data);
        w.EndNested(info);
    }

    /// <summary>The body of <c>ip link add NAME type ipip [local IP] [remote IP] [dev PARENT] [ttl N]</c>.</summary>
    public static void EncodeIpip(MessageWriter w, IpipSpec spec)
    {
        w.Write(new IfInfoMsg());
        w.AttributeString(LinkAttr.Name, spec.Name);
        if (spec.Mtu is { } mtu)
        {
            w.AttributeU32(LinkAttr.Mtu, (uint)mtu);
        }

        var info = w.BeginContainer(LinkAttr.LinkInfo);
        w.AttributeString(LinkAttr.InfoKind, "ipip");
        var data = w.BeginContainer(LinkAttr.InfoData);
        if (spec.Info.ParentIndex is { } parent)
        {
            w.AttributeU32(IpTunnelAttr.Link, (uint)parent);
        }

        if (spec.Info.Local is { } local)
        {
            RequireIpv4(local, "local");
            w.AttributeAddress(IpTunnelAttr.Local, local);
        }

        if (spec.Info.Remote is { } remote)
        {
            RequireIpv4(remote, "remote");
            w.AttributeAddress(IpTunnelAttr.Remote, remote);
        }

        w.AttributeU8(IpTunnelAttr.Ttl, spec.Info.Ttl);
        w.AttributeU8(IpTunnelAttr.PmtuDiscovery, spec.Info.PathMtuDiscovery ? (byte)1 : (byte)0);
        w.EndNested(data);
        w.EndNested(info);
    }

    /// <summary>The body of <c>ip link set dev INDEX [up|down] [mtu N] [address MAC]</c> (RTM_NEWLINK without NLM_F_CREATE).</summary>
    public static void EncodeSet(MessageWriter w, int index, bool? up, int? mtu, PhysicalAddress? address, string? newName = null)
    {
        w.Write(new IfInfoMsg
        {
            Index = index,
            Flags = up == true ? (uint)InterfaceFlags.Up : 0,
            Change = up is null ? 0 : (uint)InterfaceFlags.Up,
        });
        if (mtu is { } m)
        {
            w.AttributeU32(LinkAttr.Mtu, (uint)m);
        }

        if (address is not null)
        {
            w.Attribute(LinkAttr.Address, address.GetAddressBytes());
        }

        if (newName is not null)
        {
            w.AttributeString(LinkAttr.Name, newName);
        }
    }

    /// <summary>Parses an RTM_NEWLINK (dump entry, reply or event).</summary>
    public static Link? Parse(in NetlinkMessage message)
    {
        if (message.Type is not (MessageType.NewLink or MessageType.DelLink))
        {
            return null;
        }

        var header = message.ReadHeader<IfInfoMsg>();
        string? name = null;
        int mtu = 0;
        int? parent = null, master = null;
        byte operState = 0;
        PhysicalAddress? mac = null;
        string? kind = null;
        VxlanInfo? vxlan = null;
        IpipInfo? ipip = null;
        foreach (var a in message.Attributes(IfInfoMsg.Size))
        {
            Policy.Check(a);
            switch (a.Type)
            {
                case LinkAttr.Name: name = a.String; break;
                case LinkAttr.Mtu: mtu = a.I32; break;
                case LinkAttr.Link: parent = a.I32; break;
                case LinkAttr.Master: master = a.I32; break;
                case LinkAttr.OperState: operState = a.U8; break;
                case LinkAttr.Address: mac = new PhysicalAddress(a.Value.ToArray()); break;
                case LinkAttr.LinkInfo:
                    ReadLinkInfo(a.Nested, out kind, out vxlan, out ipip);
                    break;
            }
        }

        if (name is null)
        {
            throw new NetlinkProtocolException($"RTM_NEWLINK for index {header.Index} has no IFLA_IFNAME");
        }

        return new Link(header.Index, name)
        {
            Flags = (InterfaceFlags)header.Flags,
            DeviceType = header.Type,
            Mtu = mtu,
            HardwareAddress = mac,
            Kind = kind,
            ParentIndex = parent,
            MasterIndex = master,
            OperationalState = operState,
            Vxlan = vxlan,
            Ipip = ipip,
        };
    }

    private static void ReadLinkInfo(AttributeReader attributes, out string? kind, out VxlanInfo? vxlan, out IpipInfo? ipip)
    {
        kind = null;
        vxlan = null;
        ipip = null;
        var data = ReadOnlySpan<byte>.Empty;
        foreach (var a in attributes)
        {
            InfoPolicy.Check(a);
            if (a.Type == LinkAttr.InfoKind)
            {
                kind = a.String;
            }
            else if (a.Type == LinkAttr.InfoData)
            {
                data = a.Value;
            }
        }

        if (kind == "vxlan")
        {
            vxlan = ParseVxlan(new AttributeReader(data));
        }
        else if (kind == "ipip")
        {
            ipip = ParseIpip(new AttributeReader(data));
        }
    }

    private static VxlanInfo ParseVxlan(AttributeReader attributes)
    {
        uint vni = 0;
        ushort port = 0;
        IPAddress? local = null;
        int? parent = null;
        var learning = false;
        foreach (var a in attributes)
        {
            VxlanPolicy.Check(a);
            switch (a.Type)
            {
                case VxlanAttr.Id: vni = a.U32; break;
                case VxlanAttr.Port: port = a.U16BigEndian; break;
                case VxlanAttr.Local or VxlanAttr.Local6: local = a.Address; break;
                case VxlanAttr.Link: parent = a.I32; break;
                case VxlanAttr.Learning: learning = a.U8 != 0; break;
            }
        }

        return new VxlanInfo(vni, port, local, parent, learning);
    }

    private static IpipInfo ParseIpip(AttributeReader attributes)
    {
        IPAddress? local = null, remote = null;
        int? parent = null;
        byte ttl = 0;
        var pmtu = true;
        foreach (var a in attributes)
        {
            IpipPolicy.Check(a, Family.Inet);
            switch (a.Type)
            {
                case IpTunnelAttr.Link: parent = a.I32 == 0 ? null : a.I32; break;
                case IpTunnelAttr.Local: local = IsAny(a.Value) ? null : a.Address; break;
                case IpTunnelAttr.Remote: remote = IsAny(a.Value) ? null : a.Address; break;
                case IpTunnelAttr.Ttl: ttl = a.U8; break;
                case IpTunnelAttr.PmtuDiscovery: pmtu = a.U8 != 0; break;
            }
        }

        return new IpipInfo(local, remote, parent, ttl, pmtu);
    }

    private static bool IsAny(ReadOnlySpan<byte> address) => !address.ContainsAnyExcept((byte)0);

    private static void RequireIpv4(IPAddress address, string field)
    {
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"IPIP {field} address {address} must be IPv4 (IPIP carries IPv4 only)", nameof(address));
        }
    }
}
