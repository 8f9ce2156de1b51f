using System.Net;
using System.Net.NetworkInformation;

namespace Tabby.Felix.Netlink.Links;

/// <summary>Interface flags (IFF_*, linux/if.h) the dataplane reads.</summary>
[Flags]
public enum InterfaceFlags : uint
{
    None = 0,
    Up = 0x1,
    Broadcast = 0x2,
    Loopback = 0x8,
    PointToPoint = 0x10,
    NoArp = 0x80,
    Running = 0x40,
    Multicast = 0x1000,
    LowerUp = 0x10000,
}

/// <summary>
/// A network interface as the kernel reports it (<c>ip -d link show dev NAME</c>).
/// </summary>
/// <param name="Index">ifindex; changes when a device is deleted and created again.</param>
/// <param name="Name">IFLA_IFNAME.</param>
public sealed record Link(int Index, string Name)
{
    public InterfaceFlags Flags { get; init; }

    public bool IsUp => (Flags & InterfaceFlags.Up) != 0;

    public bool IsLoopback => (Flags & InterfaceFlags.Loopback) != 0;

    public int Mtu { get; init; }

    /// <summary>ARPHRD_* device type (1 Ethernet, 772 loopback, 768 IPIP).</summary>
    public ushort DeviceType { get; init; }

    public PhysicalAddress? HardwareAddress { get; init; }

    /// <summary>IFLA_INFO_KIND: veth, vxlan, ipip, bridge ... (null for plain devices).</summary>
    public string? Kind { get; init; }

    /// <summary>IFLA_LINK: the peer (veth) or lower device index.</summary>
    public int? ParentIndex { get; init; }

    /// <summary>IFLA_MASTER: the bridge or bond this device is enslaved to.</summary>
    public int? MasterIndex { get; init; }

    /// <summary>IFLA_OPERSTATE (RFC 2863): 6 = up, 2 = down, 0 = unknown.</summary>
    public byte OperationalState { get; init; }

    public VxlanInfo? Vxlan { get; init; }

    public IpipInfo? Ipip { get; init; }
}

/// <summary>VXLAN parameters (IFLA_INFO_DATA of kind vxlan).</summary>
/// <param name="Vni">IFLA_VXLAN_ID.</param>
/// <param name="Port">IFLA_VXLAN_PORT, UDP destination port.</param>
/// <param name="Local">IFLA_VXLAN_LOCAL / LOCAL6: source address of encapsulated packets.</param>
/// <param name="ParentIndex">IFLA_VXLAN_LINK: the underlying device.</param>
/// <param name="Learning">IFLA_VXLAN_LEARNING: learn remote MACs from traffic (Calico: off).</param>
public sealed record VxlanInfo(uint Vni, ushort Port, IPAddress? Local, int? ParentIndex, bool Learning);

/// <summary>IPIP tunnel parameters (IFLA_INFO_DATA of kind ipip).</summary>
/// <param name="Local">IFLA_IPTUN_LOCAL (null = any).</param>
/// <param name="Remote">IFLA_IPTUN_REMOTE (null = any: a point-to-multipoint device like tunl0).</param>
/// <param name="ParentIndex">IFLA_IPTUN_LINK.</param>
/// <param name="Ttl">IFLA_IPTUN_TTL (0 = inherit).</param>
/// <param name="PathMtuDiscovery">IFLA_IPTUN_PMTUDISC.</param>
public sealed record IpipInfo(IPAddress? Local = null, IPAddress? Remote = null, int? ParentIndex = null, byte Ttl = 0, bool PathMtuDiscovery = true);

/// <summary>What to create: a veth pair.</summary>
public sealed record VethSpec(string Name, string PeerName)
{
    public int? Mtu { get; init; }

    /// <summary>Put the peer end into the namespace behind this fd (IFLA_NET_NS_FD).</summary>
    public int? PeerNamespaceFd { get; init; }
}

/// <summary>What to create: a VXLAN device.</summary>
public sealed record VxlanSpec(string Name, uint Vni, ushort Port)
{
    public IPAddress? Local { get; init; }

    public int? ParentIndex { get; init; }

    public bool Learning { get; init; }

    public int? Mtu { get; init; }

    public PhysicalAddress? HardwareAddress { get; init; }
}

/// <summary>What to create: an IPIP tunnel device.</summary>
public sealed record IpipSpec(string Name)
{
    public IpipInfo Info { get; init; } = new();

    public int? Mtu { get; init; }
}
