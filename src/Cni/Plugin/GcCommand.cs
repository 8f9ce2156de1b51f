using Microsoft.Extensions.Logging;
using Tabby.Datastore.Resources;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Blocks;

namespace Tabby.Cni.Plugin;

/// <summary>
/// GC (1.1.0): the runtime lists the attachments it still uses (cni.dev/valid-attachments); every pod
/// address this node allocated for a container not on that list is released by its handle. Only
/// this node's allocations are considered (attribute <c>node</c>), since another node's runtime
/// knows nothing of ours.
/// </summary>
public static class GcCommand
{
    public static async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var logger = context.Loggers.CreateLogger(typeof(GcCommand));
        var valid = context.Config.ValidAttachments.Select(a => a.ContainerId).ToHashSet(StringComparer.Ordinal);
        var stale = new HashSet<string>(StringComparer.Ordinal);
        var blocks = await context.Store.ListAsync(ResourceKinds.IPAMBlocks, null, cancellationToken).ConfigureAwait(false);
        foreach (var block in blocks.Items.Where(b => !b.Spec.Deleted))
        {
            foreach (var (_, _, attribute) in new BlockView(block).Allocated())
            {
                if (attribute?.HandleId is { } handle && handle.StartsWith(HandleNames.PodHandlePrefix, StringComparison.Ordinal)
                    && attribute.Secondary?.GetValueOrDefault("node") == context.Node
                    && !valid.Contains(handle[HandleNames.PodHandlePrefix.Length..]))
                {
                    stale.Add(handle);
                }
            }
        }

        using var held = await context.LockIpamAsync(cancellationToken).ConfigureAwait(false);
        foreach (var handle in stale)
        {
            var released = await context.Addressing.ReleaseAsync(handle, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("GC released {Count} address(es) of {Handle}: its container is not among the runtime's attachments", released.Count, handle);
        }
    }
}
