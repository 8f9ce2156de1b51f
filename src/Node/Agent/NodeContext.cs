using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Node.Configuration;
using Tabby.Node.Startup;

namespace Tabby.Node.Agent;

/// <summary>What start-up established, shared by every subsystem: the store, the node's identity and addresses.</summary>
public sealed record NodeContext(
    NodeSettings Settings,
    IDatastore Store,
    IpamAllocator Ipam,
    Configuration.NodeAddress? IPv4,
    Configuration.NodeAddress? IPv6,
    RegisteredNode Registration,
    DateTimeOffset StartedAt)
{
    public string NodeName => Settings.NodeName;
}

/// <summary>Hands the <see cref="NodeContext"/> to subsystems once start-up has finished.</summary>
public sealed class NodeContextHolder
{
    private readonly TaskCompletionSource<NodeContext> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<NodeContext> WhenReady => _ready.Task;

    /// <summary>
    /// Waits for start-up: the context, or null when start-up failed (that stops the agent, so a
    /// subsystem just returns). Cancellation is thrown as usual.
    /// </summary>
    public async Task<NodeContext?> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await WhenReady.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public void Set(NodeContext context) => _ready.TrySetResult(context);

    public void Fail(Exception error) => _ready.TrySetException(error);
}
