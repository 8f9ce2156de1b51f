using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Datastore.Store;
using Tabby.Felix.RouteTable;
using Tabby.Felix.Tunnels;
using Tabby.Node.Bgp;

namespace Tabby.Node.Dataplane;

/// <summary>The datastore state the dataplane is computed from, read in one pass.</summary>
public sealed record ClusterSnapshot(
    IReadOnlyList<IPPool> Pools,
    IReadOnlyList<BlockAffinity> Affinities,
    IReadOnlyList<CalicoNode> Nodes,
    IReadOnlyList<Pod> Pods)
{
    /// <summary>The annotation the CNI plugin writes with the host side veth of a pod.</summary>
    public const string InterfaceAnnotation = "cni.tabby.io/interface";

    public static async Task<ClusterSnapshot> ReadAsync(IDatastore store, CancellationToken cancellationToken)
    {
        var pools = (await store.ListAsync(ResourceKinds.IPPools, null, cancellationToken).ConfigureAwait(false)).Items;
        var affinities = (await store.ListAsync(ResourceKinds.BlockAffinities, null, cancellationToken).ConfigureAwait(false)).Items;
        var nodes = (await store.ListAsync(ResourceKinds.CalicoNodes, null, cancellationToken).ConfigureAwait(false)).Items;
        var pods = (await store.ListAsync(ResourceKinds.Pods, null, cancellationToken).ConfigureAwait(false)).Items;
        return new ClusterSnapshot(pools, affinities, nodes, pods);
    }

    /// <summary>Confirmed blocks of a node (pending claims count as absent, as in Calico).</summary>
    public IEnumerable<IPNetwork> BlocksOf(string node) =>
        Affinities.Where(a => a.Spec.Node == node && a.Spec.State == BlockAffinityStates.Confirmed && !a.Spec.IsDeleted)
            .Select(a => IPNetwork.TryParse(a.Spec.Cidr, out var c) ? c : (IPNetwork?)null)
            .OfType<IPNetwork>();

    /// <summary>The pool a block or address belongs to.</summary>
    public IPPool? PoolOf(IPAddress address) =>
        Pools.FirstOrDefault(p => IPNetwork.TryParse(p.Spec.Cidr, out var c) && c.Contains(address));

    /// <summary>Pools as the route table sees them: CIDR and encapsulation (longest match wins).</summary>
    public PoolTable Routing { get; } = new(Pools
        .Where(p => IPNetwork.TryParse(p.Spec.Cidr, out _))
        .Select(p => new RoutedPool(IPNetwork.Parse(p.Spec.Cidr), new PoolEncapsulation(Mode(p.Spec.IpipMode), Mode(p.Spec.VxlanMode)))));

    private static EncapsulationMode Mode(string? text) => text switch
    {
        "Always" => EncapsulationMode.Always,
        "CrossSubnet" => EncapsulationMode.CrossSubnet,
        _ => EncapsulationMode.Never,
    };

    /// <summary>Blackholes for this node's own blocks (not for /32 or /128 blocks: those are the workload itself).</summary>
    public IEnumerable<DesiredRoute> LocalBlockRoutes(string node) =>
        BlocksOf(node).Where(b => b.PrefixLength < (b.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
            .Select(EncapsulationRoutes.LocalBlock);

    /// <summary>/32 and /128 routes to this node's pods through the veth the CNI plugin recorded.</summary>
    public IEnumerable<DesiredRoute> WorkloadRoutes(string node)
    {
        foreach (var pod in Pods.Where(p => p.Spec?.NodeName == node))
        {
            if (pod.Metadata.Annotations?.GetValueOrDefault(InterfaceAnnotation) is not { Length: > 0 } device)
            {
                continue;
            }

            foreach (var entry in pod.Status?.PodIPs ?? [])
            {
                if (IPAddress.TryParse(entry.Ip, out var address))
                {
                    yield return EncapsulationRoutes.Workload(address, device);
                }
            }
        }
    }

    /// <summary>
    /// VXLAN routes to other nodes' blocks in VXLAN pools, programmed from the datastore (as Felix
    /// does) rather than from BGP.
    /// </summary>
    public IEnumerable<DesiredRoute> VxlanRoutes(string self, EncapsulationRoutes routes)
    {
        foreach (var other in Nodes.Where(n => n.Name != self))
        {
            var nodeAddress = PeerPlanner.AddressOf(other, AddressFamily.InterNetwork);
            if (nodeAddress is null || !IPAddress.TryParse(other.Spec.IPv4VxlanTunnelAddr, out var vtep))
            {
                continue;
            }

            foreach (var block in BlocksOf(other.Name).Where(b => b.BaseAddress.AddressFamily == AddressFamily.InterNetwork))
            {
                var encapsulation = Routing.EncapsulationOf(block);
                if (encapsulation.Vxlan != EncapsulationMode.Never)
                {
                    yield return routes.RemoteBlock(block, encapsulation, [new RemotePath(nodeAddress, vtep)]);
                }
            }
        }
    }

    /// <summary>The remote VTEPs (tunnel address, MAC, host address) of every other node with VXLAN.</summary>
    public IEnumerable<RemoteVtep> RemoteVteps(string self)
    {
        foreach (var other in Nodes.Where(n => n.Name != self))
        {
            if (PeerPlanner.AddressOf(other, AddressFamily.InterNetwork) is { } host
                && IPAddress.TryParse(other.Spec.IPv4VxlanTunnelAddr, out var vtep)
                && other.Spec.VxlanTunnelMacAddr is { } macText
                && PhysicalAddress.TryParse(macText.Replace(':', '-').ToUpperInvariant(), out var mac))
            {
                yield return new RemoteVtep(other.Name, vtep, mac, host);
            }
        }
    }

    /// <summary>
    /// The kernel route for a BGP best path: pool blocks get their pool's encapsulation (VXLAN pools
    /// are skipped: their routes come from <see cref="VxlanRoutes"/>); other prefixes go via the
    /// next hops as learned. Null when nothing should be programmed.
    /// </summary>
    public DesiredRoute? BgpRoute(IPNetwork prefix, IReadOnlyList<IPAddress> nextHops, EncapsulationRoutes routes)
    {
        if (nextHops.Count == 0)
        {
            return null;
        }

        var encapsulation = Routing.EncapsulationOf(prefix);
        if (encapsulation.Vxlan != EncapsulationMode.Never)
        {
            return null;
        }

        return routes.RemoteBlock(prefix, encapsulation, nextHops.Select(h => new RemotePath(h)).ToList());
    }
}
