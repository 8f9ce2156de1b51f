using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Store;

namespace Tabby.Node.Agent;

/// <summary>
/// Wakes subscribers when any watched kind changes. Subsystems recompute their desired state from a
/// fresh read on every wake-up (and periodically), so a missed or coalesced event only delays an
/// update; watches resume after errors with back-off.
/// </summary>
public sealed class ChangeFeed(NodeContextHolder holder, ILogger<ChangeFeed> logger) : BackgroundService
{
    private readonly List<Channel<bool>> _subscribers = [];
    private readonly Lock _gate = new();

    /// <summary>A reader that yields once per burst of changes (bounded to one pending signal).</summary>
    public ChannelReader<bool> Subscribe()
    {
        var channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        return channel.Reader;
    }

    /// <summary>
    /// Waits for the next change on <paramref name="wake"/> or <paramref name="resync"/>, whichever
    /// comes first (subsystems recompute on both); returns quietly when stopped.
    /// </summary>
    public static async Task WaitAsync(ChannelReader<bool> wake, TimeSpan resync, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(resync);
            await wake.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Wakes every subscriber now.</summary>
    public void Poke()
    {
        lock (_gate)
        {
            foreach (var channel in _subscribers)
            {
                channel.Writer.TryWrite(true);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await holder.WaitAsync(stoppingToken).ConfigureAwait(false) is not { } context)
        {
            return; // start-up failed, which stops the agent
        }

        await Task.WhenAll(Watches.Select(w => w.Start(this, context.Store, context.Settings.Namespace, stoppingToken))).ConfigureAwait(false);
    }

    /// <summary>
    /// Every kind the agent follows across the cluster (the RBAC manifest must grant list and
    /// watch on each); Secrets are the exception: only those of the agent's own namespace
    /// (<see cref="Configuration.NodeSettings.Namespace"/>), where BGP passwords live.
    /// </summary>
    public static IReadOnlyList<ResourceKind> WatchedKinds => Watches.Where(w => !w.OwnNamespace).Select(w => w.Kind).ToList();

    private static readonly (ResourceKind Kind, bool OwnNamespace, Func<ChangeFeed, IDatastore, string, CancellationToken, Task> Start)[] Watches =
    [
        Watch(ResourceKinds.CalicoNodes),
        Watch(ResourceKinds.IPPools),
        Watch(ResourceKinds.BlockAffinities),
        Watch(ResourceKinds.BGPPeers),
        Watch(ResourceKinds.BGPConfigurations),
        Watch(ResourceKinds.BGPFilters),
        Watch(ResourceKinds.Pods),
        Watch(ResourceKinds.Secrets, ownNamespace: true),
        Watch(ResourceKinds.Services),
        Watch(ResourceKinds.Namespaces),
        Watch(ResourceKinds.KubeNetworkPolicies),
        Watch(ResourceKinds.NetworkPolicies),
        Watch(ResourceKinds.GlobalNetworkPolicies),
        Watch(ResourceKinds.Tiers),
    ];

    private static (ResourceKind, bool, Func<ChangeFeed, IDatastore, string, CancellationToken, Task>) Watch<T>(ResourceKind<T> kind, bool ownNamespace = false)
        where T : Resource =>
        (kind, ownNamespace, (feed, store, ns, cancellationToken) => feed.WatchAsync(store, kind, ownNamespace ? ns : null, cancellationToken));

    private async Task WatchAsync<T>(IDatastore store, ResourceKind<T> kind, string? ns, CancellationToken cancellationToken) where T : Resource
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var _ in store.WatchAsync(kind, ns is null ? null : new WatchOptions { Namespace = ns }, cancellationToken).ConfigureAwait(false))
                {
                    delay = TimeSpan.FromMilliseconds(200);
                    Poke();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DatastoreException or IOException or HttpRequestException)
            {
                logger.LogWarning("Watch of {Kind} failed ({Error}); resuming in {Delay}", kind.Kind, e.Message, delay);
                Poke();
            }

            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }
}
