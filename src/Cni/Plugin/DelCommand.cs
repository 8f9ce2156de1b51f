using Microsoft.Extensions.Logging;
using Tabby.Cni.Workloads;

namespace Tabby.Cni.Plugin;

/// <summary>
/// DEL: the container end of the veth removed (its peer, routes and neighbours go with it), then the
/// handle's addresses released, then the endpoint record forgotten. Every step treats "already
/// gone" as done, so DEL succeeds after a failed or partial ADD, and when repeated. The interface
/// goes first: an address must not be handed to a new pod while the old interface still has it.
/// </summary>
public static class DelCommand
{
    public static async Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var environment = context.Environment;
        var identity = WorkloadIdentity.From(environment);
        var logger = context.Loggers.CreateLogger(typeof(DelCommand));
        context.Dataplane.Teardown(environment.NetNs, environment.IfName, identity.HostVethName);
        IReadOnlyList<System.Net.IPAddress> released;
        using (await context.LockIpamAsync(cancellationToken).ConfigureAwait(false))
        {
            released = await context.Addressing.ReleaseAsync(identity.HandleId, cancellationToken).ConfigureAwait(false);
        }

        await context.Records.RemoveAsync(identity, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("DEL of {Container}: released {Count} address(es)", environment.ContainerId, released.Count);
    }
}
