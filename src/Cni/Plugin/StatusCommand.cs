using Tabby.Cni.Spec;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;

namespace Tabby.Cni.Plugin;

/// <summary>
/// STATUS (1.1.0): can an ADD succeed now? The datastore must answer and hold at least one enabled
/// pool that allows workloads; otherwise code 50 (plugin not available) with the reason.
/// </summary>
public static class StatusCommand
{
    public static async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<IPPool> pools;
        try
        {
            pools = (await context.Store.ListAsync(ResourceKinds.IPPools, null, cancellationToken).ConfigureAwait(false)).Items;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new CniException(CniErrorCode.PluginNotAvailable, $"the datastore ({context.Store.Description}) does not answer", e.Message, e);
        }

        var usable = pools.Where(p => p.Spec.Disabled != true
            && (p.Spec.AllowedUses is not { Count: > 0 } uses || uses.Contains(IPPoolAllowedUses.Workload))).ToList();
        if (usable.Count == 0)
        {
            throw new CniException(CniErrorCode.PluginNotAvailable,
                pools.Count == 0 ? "no IP pool exists yet" : "no IP pool is enabled for workloads");
        }
    }
}
