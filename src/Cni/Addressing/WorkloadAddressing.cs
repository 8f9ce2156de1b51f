using System.Net;
using Microsoft.Extensions.Logging;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Blocks;

namespace Tabby.Cni.Addressing;

/// <summary>
/// The plugin's use of Tabby IPAM: addresses already held by the container's handle (a retried ADD
/// gets them back instead of new ones), automatic or pinned assignment, release by handle (DEL).
/// </summary>
public sealed class WorkloadAddressing(IpamAllocator ipam, ILogger logger)
{
    /// <summary>Addresses the handle holds now, IPv4 first; empty when it holds none.</summary>
    public async Task<List<IPAddress>> HeldByAsync(string handleId, CancellationToken cancellationToken)
    {
        var handle = await ipam.Store.GetAsync(ResourceKinds.IPAMHandles, HandleNames.ObjectName(handleId), null, cancellationToken).ConfigureAwait(false);
        if (handle is null || handle.Spec.Deleted)
        {
            return [];
        }

        var held = new List<IPAddress>();
        foreach (var cidr in handle.Spec.Block.Keys)
        {
            var block = await ipam.Store.GetAsync(ResourceKinds.IPAMBlocks, ResourceNames.BlockName(cidr), null, cancellationToken).ConfigureAwait(false);
            if (block is null || block.Spec.Deleted)
            {
                continue;
            }

            held.AddRange(new BlockView(block).Allocated()
                .Where(a => string.Equals(a.Attribute?.HandleId, handleId, StringComparison.Ordinal))
                .Select(a => a.Address));
        }

        return held.OrderBy(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 0 : 1).ToList();
    }

    /// <summary>Assigns the request's addresses. On failure nothing of this request stays allocated.</summary>
    public async Task<List<IPAddress>> AssignAsync(AddressRequest request, CancellationToken cancellationToken)
    {
        var attributes = request.Attributes;
        if (request.Pinned.Count > 0)
        {
            var pinned = new List<IPAddress>();
            try
            {
                foreach (var address in request.Pinned)
                {
                    var assigned = await ipam.AssignIpAsync(new AssignIpRequest
                    {
                        Address = address,
                        Host = request.Node,
                        HandleId = request.HandleId,
                        Attributes = attributes,
                    }, cancellationToken).ConfigureAwait(false);
                    pinned.Add(assigned.Address);
                }
            }
            catch
            {
                if (pinned.Count > 0)
                {
                    await ipam.ReleaseByHandleAsync(request.HandleId, CancellationToken.None).ConfigureAwait(false);
                }

                throw;
            }

            logger.LogInformation("Assigned requested {Addresses} to {Handle}", string.Join(", ", pinned), request.HandleId);
            return pinned;
        }

        var result = await ipam.AutoAssignAsync(new AutoAssignRequest
        {
            Host = request.Node,
            HandleId = request.HandleId,
            Attributes = attributes,
            IPv4Count = request.IPv4 ? 1 : 0,
            IPv6Count = request.IPv6 ? 1 : 0,
            IPv4Pools = request.IPv4Pools,
            IPv6Pools = request.IPv6Pools,
            HostLabels = request.NodeLabels,
            NamespaceLabels = request.NamespaceLabels,
            Use = IPPoolAllowedUses.Workload,
        }, cancellationToken).ConfigureAwait(false);
        var addresses = result.All.Select(a => a.Address).ToList();
        logger.LogInformation("Assigned {Addresses} to {Handle}", string.Join(", ", addresses), request.HandleId);
        return addresses;
    }

    /// <summary>DEL: releases every address of the handle; an unknown handle releases nothing and is fine.</summary>
    public async Task<IReadOnlyList<IPAddress>> ReleaseAsync(string handleId, CancellationToken cancellationToken)
    {
        var released = await ipam.ReleaseByHandleAsync(handleId, cancellationToken).ConfigureAwait(false);
        if (released.Count > 0)
        {
            logger.LogInformation("Released {Addresses} of {Handle}", string.Join(", ", released), handleId);
        }

        return released;
    }
}
