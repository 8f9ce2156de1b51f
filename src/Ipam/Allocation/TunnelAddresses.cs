using System.Net;
using System.Net.Sockets;
using Tabby.Datastore.Resources.Calico;
using Tabby.Ipam.Blocks;

namespace Tabby.Ipam.Allocation;

/// <summary>Which tunnel a node address is for.</summary>
public enum TunnelKind
{
    Ipip,
    Vxlan,
}

/// <summary>
/// A node's tunnel address (tunl0 for IPIP, vxlan.calico for VXLAN), held under its own handle
/// (<c>ipip-tunnel-addr-NODE</c> / <c>vxlan-tunnel-addr-NODE</c>) with the <c>type</c> attribute,
/// so it lives as long as the node and is never mistaken for a pod address.
/// </summary>
public sealed class TunnelAddresses(IpamAllocator ipam)
{
    /// <summary>
    /// Returns the node's tunnel address, allocating one from a pool that allows tunnel use when it
    /// has none yet. Safe to call on every start: an existing address is kept.
    /// </summary>
    public async Task<IPAddress> EnsureAsync(string node, TunnelKind kind, IReadOnlyDictionary<string, string>? nodeLabels = null,
        IReadOnlyList<string>? pools = null, CancellationToken cancellationToken = default)
    {
        var handleId = HandleFor(node, kind);
        if (await FindAsync(handleId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var result = await ipam.AutoAssignAsync(new AutoAssignRequest
        {
            Host = node,
            HandleId = handleId,
            IPv4Count = 1,
            IPv4Pools = pools ?? [],
            HostLabels = nodeLabels ?? new Dictionary<string, string>(),
            Use = IPPoolAllowedUses.Tunnel,
            Attributes = new Dictionary<string, string>
            {
                [AllocationAttributeKeys.Node] = node,
                [AllocationAttributeKeys.Type] = kind == TunnelKind.Ipip
                    ? AllocationAttributeKeys.IpipTunnelAddress
                    : AllocationAttributeKeys.VxlanTunnelAddress,
            },
        }, cancellationToken).ConfigureAwait(false);
        return result.IPv4[0].Address;
    }

    /// <summary>Frees the node's tunnel address (the tunnel mode was switched off, or the node left).</summary>
    public Task<IReadOnlyList<IPAddress>> ReleaseAsync(string node, TunnelKind kind, CancellationToken cancellationToken = default) =>
        ipam.ReleaseByHandleAsync(HandleFor(node, kind), cancellationToken);

    public static string HandleFor(string node, TunnelKind kind) =>
        kind == TunnelKind.Ipip ? HandleNames.IpipTunnelHandle(node) : HandleNames.VxlanTunnelHandle(node);

    private async Task<IPAddress?> FindAsync(string handleId, CancellationToken cancellationToken)
    {
        var handle = await ipam.Store.GetAsync(Tabby.Datastore.Resources.ResourceKinds.IPAMHandles, HandleNames.ObjectName(handleId), null,
            cancellationToken).ConfigureAwait(false);
        if (handle is null || handle.Spec.Deleted)
        {
            return null;
        }

        foreach (var cidr in handle.Spec.Block.Keys)
        {
            var block = await ipam.Store.GetAsync(Tabby.Datastore.Resources.ResourceKinds.IPAMBlocks,
                Tabby.Datastore.Resources.ResourceNames.BlockName(cidr), null, cancellationToken).ConfigureAwait(false);
            if (block is null)
            {
                continue;
            }

            var found = new BlockView(block).Allocated()
                .FirstOrDefault(a => a.Attribute?.HandleId == handleId && a.Address.AddressFamily == AddressFamily.InterNetwork);
            if (found.Address is not null)
            {
                return found.Address;
            }
        }

        return null;
    }
}
