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
        NodeContext context;
        try
        {
            context = await holder.WhenReady.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (Exception) when (!stoppingToken.IsCancellationRequested)
        {
            return;
        }

        var store = context.Store;
        await Task.WhenAll(
            WatchAsync(store, ResourceKinds.CalicoNodes, stoppingToken),
            WatchAsync(store, ResourceKinds.IPPools, stoppingToken),
            WatchAsync(store, ResourceKinds.BlockAffinities, stoppingToken),
            WatchAsync(store, ResourceKinds.BGPPeers, stoppingToken),
            WatchAsync(store, ResourceKinds.BGPConfigurations, stoppingToken),
            WatchAsync(store, ResourceKinds.Pods, stoppingToken),
            WatchAsync(store, ResourceKinds.Secrets, stoppingToken),
            WatchAsync(store, ResourceKinds.BGPFilters, stoppingToken),
            WatchAsync(store, ResourceKinds.Services, stoppingToken),
            WatchAsync(store, ResourceKinds.Namespaces, stoppingToken),
            WatchAsync(store, ResourceKinds.KubeNetworkPolicies, stoppingToken),
            WatchAsync(store, ResourceKinds.NetworkPolicies, stoppingToken),
            WatchAsync(store, ResourceKinds.GlobalNetworkPolicies, stoppingToken),
            WatchAsync(store, ResourceKinds.Tiers, stoppingToken)).ConfigureAwait(false);
    }

    private async Task WatchAsync<T>(IDatastore store, ResourceKind<T> kind, CancellationToken cancellationToken) where T : Resource
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var _ in store.WatchAsync(kind, null, cancellationToken).ConfigureAwait(false))
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
