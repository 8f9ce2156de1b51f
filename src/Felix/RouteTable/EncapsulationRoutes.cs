using System.Net;
using System.Net.Sockets;

namespace Tabby.Felix.RouteTable;

/// <summary>An IPPool's ipipMode / vxlanMode (Calico: Never, Always, CrossSubnet).</summary>
public enum EncapsulationMode
{
    Never,
    Always,
    /// <summary>Encapsulate only towards next hops outside the local subnets.</summary>
    CrossSubnet,
}

/// <summary>How a pool's traffic leaves the node: one of IPIP or VXLAN (Calico never enables both on one pool).</summary>
public sealed record PoolEncapsulation(EncapsulationMode Ipip = EncapsulationMode.Never, EncapsulationMode Vxlan = EncapsulationMode.Never)
{
    public static PoolEncapsulation None { get; } = new();

    public PoolEncapsulation Validate()
    {
        if (Ipip != EncapsulationMode.Never && Vxlan != EncapsulationMode.Never)
        {
            throw new ArgumentException("ipipMode and vxlanMode cannot both be enabled on one pool");
        }

        return this;
    }
}

/// <summary>One way to reach a remote block: the remote node's address and, for VXLAN, its VTEP (tunnel) address.</summary>
public sealed record RemotePath(IPAddress NodeAddress, IPAddress? VtepAddress = null);

/// <summary>A local subnet of this node: an interface and the prefix configured on it.</summary>
public sealed record LocalSubnet(string Interface, IPNetwork Prefix);

/// <summary>
/// Turns blocks into routes the way Calico programs them (shared/reference/calico-compat.md,
/// "Felix dataplane facts"):
/// local blocks are blackholes (packets to unallocated addresses of our own block stop here);
/// workloads are /32 (/128) device routes; remote blocks go via the node IP when not encapsulated,
/// via the node IP on tunl0 onlink for IPIP, via the remote VTEP on vxlan.calico onlink for VXLAN;
/// CrossSubnet decides per next hop whether the peer sits in one of our subnets; several best paths
/// become one ECMP route.
/// </summary>
public sealed class EncapsulationRoutes(IReadOnlyList<LocalSubnet> localSubnets, string ipipDevice = "tunl0", string vxlanDevice = "vxlan.calico")
{
    public static DesiredRoute LocalBlock(IPNetwork block) =>
        DesiredRoute.Blackhole(block);

    public static DesiredRoute Workload(IPAddress address, string device) =>
        DesiredRoute.Device(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128), device);

    /// <summary>The route to a block on other nodes; paths are sorted so the same input always gives the same route.</summary>
    public DesiredRoute RemoteBlock(IPNetwork block, PoolEncapsulation encapsulation, IReadOnlyCollection<RemotePath> paths)
    {
        encapsulation.Validate();
        if (paths.Count == 0)
        {
            throw new ArgumentException($"remote block {block} needs at least one path", nameof(paths));
        }

        var hops = paths
            .Select(p => NextHopFor(block, encapsulation, p))
            .Distinct()
            .OrderBy(h => h.Gateway?.ToString(), StringComparer.Ordinal)
            .ThenBy(h => h.Interface, StringComparer.Ordinal)
            .ToList();
        return new DesiredRoute(block) { NextHops = hops };
    }

    /// <summary>The local subnet that contains <paramref name="address"/>, if any.</summary>
    public LocalSubnet? SubnetOf(IPAddress address) => localSubnets.FirstOrDefault(s => s.Prefix.Contains(address));

    private DesiredNextHop NextHopFor(IPNetwork block, PoolEncapsulation encapsulation, RemotePath path)
    {
        var local = SubnetOf(path.NodeAddress);
        if (Encapsulates(encapsulation.Vxlan, local))
        {
            var vtep = path.VtepAddress ?? throw new ArgumentException($"VXLAN route to {block} via node {path.NodeAddress} needs the node's VTEP address", nameof(path));
            return new DesiredNextHop(vtep, vxlanDevice, OnLink: true);
        }

        if (Encapsulates(encapsulation.Ipip, local))
        {
            if (path.NodeAddress.AddressFamily != AddressFamily.InterNetwork)
            {
                throw new ArgumentException($"IPIP route to {block} needs an IPv4 node address, not {path.NodeAddress}", nameof(path));
            }

            return new DesiredNextHop(path.NodeAddress, ipipDevice, OnLink: true);
        }

        // Not encapsulated: straight to the node on the shared subnet (or let the kernel resolve
        // the gateway through its own routes when the node is further away).
        return new DesiredNextHop(path.NodeAddress, local?.Interface);
    }

    private static bool Encapsulates(EncapsulationMode mode, LocalSubnet? localSubnet) => mode switch
    {
        EncapsulationMode.Always => true,
        EncapsulationMode.CrossSubnet => localSubnet is null,
        _ => false,
    };
}
