namespace Tabby.Felix.Netlink.Wire;

/// <summary>Netlink message types (linux/netlink.h, linux/rtnetlink.h).</summary>
public static class MessageType
{
    public const ushort Noop = 1;
    public const ushort Error = 2;
    public const ushort Done = 3;
    public const ushort Overrun = 4;

    public const ushort NewLink = 16;
    public const ushort DelLink = 17;
    public const ushort GetLink = 18;
    public const ushort SetLink = 19;
    public const ushort NewAddress = 20;
    public const ushort DelAddress = 21;
    public const ushort GetAddress = 22;
    public const ushort NewRoute = 24;
    public const ushort DelRoute = 25;
    public const ushort GetRoute = 26;
    public const ushort NewNeighbor = 28;
    public const ushort DelNeighbor = 29;
    public const ushort GetNeighbor = 30;

    public static string Name(ushort type) => type switch
    {
        Noop => "NLMSG_NOOP",
        Error => "NLMSG_ERROR",
        Done => "NLMSG_DONE",
        Overrun => "NLMSG_OVERRUN",
        NewLink => "RTM_NEWLINK",
        DelLink => "RTM_DELLINK",
        GetLink => "RTM_GETLINK",
        SetLink => "RTM_SETLINK",
        NewAddress => "RTM_NEWADDR",
        DelAddress => "RTM_DELADDR",
        GetAddress => "RTM_GETADDR",
        NewRoute => "RTM_NEWROUTE",
        DelRoute => "RTM_DELROUTE",
        GetRoute => "RTM_GETROUTE",
        NewNeighbor => "RTM_NEWNEIGH",
        DelNeighbor => "RTM_DELNEIGH",
        GetNeighbor => "RTM_GETNEIGH",
        _ => $"type {type}",
    };
}

/// <summary>nlmsghdr flags (linux/netlink.h).</summary>
public static class MessageFlags
{
    public const ushort Request = 0x1;
    public const ushort Multi = 0x2;
    public const ushort Ack = 0x4;
    public const ushort Echo = 0x8;
    /// <summary>The dump was interrupted by a change: its content is inconsistent and must be re-read.</summary>
    public const ushort DumpInterrupted = 0x10;
    public const ushort DumpFiltered = 0x20;

    // Modifiers to GET requests.
    public const ushort Root = 0x100;
    public const ushort Match = 0x200;
    public const ushort Dump = Root | Match;

    // Modifiers to NEW requests.
    public const ushort Replace = 0x100;
    public const ushort Exclusive = 0x200;
    public const ushort Create = 0x400;
    public const ushort Append = 0x800;

    // Flags of an ACK (NLMSG_ERROR).
    public const ushort Capped = 0x100;
    public const ushort AckTlvs = 0x200;
}

/// <summary>Attribute header bits (linux/netlink.h): the type is the low 14 bits.</summary>
public static class AttributeFlags
{
    public const ushort Nested = 0x8000;
    public const ushort NetByteOrder = 0x4000;
    public const ushort TypeMask = 0x3fff;
}

/// <summary>NLMSGERR_ATTR_* of extended ACKs (linux/netlink.h).</summary>
public static class ExtAckAttribute
{
    public const ushort Message = 1;
    public const ushort Offset = 2;
}

/// <summary>Multicast groups of NETLINK_ROUTE (RTNLGRP_*, linux/rtnetlink.h).</summary>
public enum RtnlGroup
{
    Link = 1,
    Neighbor = 3,
    Ipv4Address = 5,
    Ipv4Route = 7,
    Ipv6Address = 9,
    Ipv6Route = 11,
}

/// <summary>Address families as used in rtnetlink headers (linux/socket.h).</summary>
public static class Family
{
    public const byte Unspecified = 0;
    public const byte Inet = 2;
    public const byte Bridge = 7;
    public const byte Inet6 = 10;
}

/// <summary>IFLA_* link attributes (linux/if_link.h).</summary>
public static class LinkAttr
{
    public const ushort Address = 1;
    public const ushort Broadcast = 2;
    public const ushort Name = 3;
    public const ushort Mtu = 4;
    public const ushort Link = 5;
    public const ushort Qdisc = 6;
    public const ushort Stats = 7;
    public const ushort Master = 10;
    public const ushort TxQueueLength = 13;
    public const ushort OperState = 16;
    public const ushort LinkMode = 17;
    public const ushort LinkInfo = 18;
    public const ushort NetNsPid = 19;
    public const ushort Alias = 20;
    public const ushort NetNsFd = 28;
    public const ushort ExtMask = 29;
    public const ushort Stats64 = 23;
    public const ushort LinkNetNsId = 37;
    public const ushort MinMtu = 50;
    public const ushort MaxMtu = 51;

    // IFLA_INFO_* inside IFLA_LINKINFO.
    public const ushort InfoKind = 1;
    public const ushort InfoData = 2;
    public const ushort InfoSlaveKind = 4;

    /// <summary>VETH_INFO_PEER: a nested ifinfomsg + attributes describing the other end.</summary>
    public const ushort VethInfoPeer = 1;
}

/// <summary>IFLA_VXLAN_* (linux/if_link.h).</summary>
public static class VxlanAttr
{
    public const ushort Id = 1;
    public const ushort Group = 2;
    public const ushort Link = 3;
    public const ushort Local = 4;
    public const ushort Ttl = 5;
    public const ushort Tos = 6;
    public const ushort Learning = 7;
    public const ushort Ageing = 8;
    public const ushort Limit = 9;
    public const ushort PortRange = 10;
    public const ushort Proxy = 11;
    public const ushort Rsc = 12;
    public const ushort L2Miss = 13;
    public const ushort L3Miss = 14;
    /// <summary>UDP destination port, big-endian u16.</summary>
    public const ushort Port = 15;
    public const ushort Group6 = 16;
    public const ushort Local6 = 17;
}

/// <summary>IFLA_IPTUN_* (linux/if_tunnel.h).</summary>
public static class IpTunnelAttr
{
    public const ushort Link = 1;
    public const ushort Local = 2;
    public const ushort Remote = 3;
    public const ushort Ttl = 4;
    public const ushort Tos = 5;
    public const ushort PmtuDiscovery = 10;
}

/// <summary>IFA_* address attributes (linux/if_addr.h).</summary>
public static class AddressAttr
{
    public const ushort Address = 1;
    public const ushort Local = 2;
    public const ushort Label = 3;
    public const ushort Broadcast = 4;
    public const ushort CacheInfo = 6;
    public const ushort Flags = 8;
}

/// <summary>RTA_* route attributes (linux/rtnetlink.h).</summary>
public static class RouteAttr
{
    public const ushort Destination = 1;
    public const ushort Source = 2;
    public const ushort InputInterface = 3;
    public const ushort OutputInterface = 4;
    public const ushort Gateway = 5;
    public const ushort Priority = 6;
    public const ushort PreferredSource = 7;
    public const ushort Metrics = 8;
    public const ushort Multipath = 9;
    public const ushort Flow = 11;
    public const ushort CacheInfo = 12;
    public const ushort Table = 15;
    public const ushort Mark = 16;
    public const ushort Via = 18;
    public const ushort Pref = 20;
    public const ushort EncapType = 21;
    public const ushort Encap = 22;
    public const ushort Expires = 23;
}

/// <summary>NDA_* neighbour attributes (linux/neighbour.h).</summary>
public static class NeighborAttr
{
    public const ushort Destination = 1;
    public const ushort LinkLayerAddress = 2;
    public const ushort CacheInfo = 3;
    public const ushort Probes = 4;
    public const ushort Vlan = 5;
    public const ushort Port = 6;
    public const ushort Vni = 7;
    public const ushort InterfaceIndex = 8;
    public const ushort Master = 9;
}
