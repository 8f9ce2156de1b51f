using System.Net;
using System.Net.NetworkInformation;

namespace Tabby.Felix.Netlink.Neighbors;

/// <summary>NUD_* neighbour states (linux/neighbour.h).</summary>
[Flags]
public enum NeighborState : ushort
{
    None = 0,
    Incomplete = 0x01,
    Reachable = 0x02,
    Stale = 0x04,
    Delay = 0x08,
    Probe = 0x10,
    Failed = 0x20,
    NoArp = 0x40,
    Permanent = 0x80,
}

/// <summary>NTF_* neighbour flags (linux/neighbour.h).</summary>
[Flags]
public enum NeighborFlags : byte
{
    None = 0,
    Use = 0x01,
    /// <summary>The entry belongs to the device itself (e.g. a VXLAN device's own FDB), not to a bridge.</summary>
    Self = 0x02,
    /// <summary>The entry belongs to the bridge the device is enslaved to.</summary>
    Master = 0x04,
    Proxy = 0x08,
    ExtLearned = 0x10,
    Router = 0x80,
}

/// <summary>
/// An ARP (IPv4) or NDP (IPv6) entry:
/// <c>ip neigh replace DESTINATION lladdr MAC dev IFINDEX nud permanent</c>.
/// </summary>
public sealed record Neighbor(int InterfaceIndex, IPAddress Destination)
{
    public PhysicalAddress? LinkLayerAddress { get; init; }

    public NeighborState State { get; init; } = NeighborState.Permanent;

    public NeighborFlags Flags { get; init; }

    public bool Equals(Neighbor? other) =>
        other is not null && InterfaceIndex == other.InterfaceIndex && Destination.Equals(other.Destination)
        && Equals(LinkLayerAddress, other.LinkLayerAddress) && State == other.State;

    public override int GetHashCode() => HashCode.Combine(InterfaceIndex, Destination);
}

/// <summary>
/// A bridge forwarding-database entry. For a VXLAN device it says which remote host (VTEP) a MAC
/// lives behind: <c>bridge fdb replace MAC dev IFINDEX dst DESTINATION self permanent</c>.
/// </summary>
public sealed record FdbEntry(int InterfaceIndex, PhysicalAddress HardwareAddress)
{
    /// <summary>NDA_DST: the remote VTEP's underlay address (VXLAN).</summary>
    public IPAddress? Destination { get; init; }

    public NeighborState State { get; init; } = NeighborState.Permanent;

    public NeighborFlags Flags { get; init; } = NeighborFlags.Self;

    public int? MasterIndex { get; init; }

    public uint? Vni { get; init; }

    public bool Equals(FdbEntry? other) =>
        other is not null && InterfaceIndex == other.InterfaceIndex && HardwareAddress.Equals(other.HardwareAddress)
        && Equals(Destination, other.Destination) && State == other.State && Flags == other.Flags;

    public override int GetHashCode() => HashCode.Combine(InterfaceIndex, HardwareAddress, Destination);
}
