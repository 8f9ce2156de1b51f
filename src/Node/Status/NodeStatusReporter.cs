using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tabby.Common.Status;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Node.Agent;
using Tabby.Node.Bgp;
using Tabby.Node.Dataplane;

namespace Tabby.Node.Status;

/// <summary>
/// Fills in the status of every CalicoNodeStatus that names this node, as calico-node does: the
/// classes it asks for (Agent, BGP, Routes), every <c>updatePeriodSeconds</c> (10 by default; 0
/// stops updates). This is how <c>tabbyctl node status --node NAME</c> reads a node remotely.
/// A write that loses a race with another writer is retried on the next tick.
/// </summary>
public sealed class NodeStatusReporter(NodeContextHolder holder, BgpService bgp, DataplaneService dataplane, TimeProvider time,
    ILogger<NodeStatusReporter> logger) : BackgroundService
{
    public const int DefaultUpdatePeriodSeconds = 10;
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await holder.WaitAsync(stoppingToken).ConfigureAwait(false) is not { } context)
        {
            return; // start-up failed, which stops the agent
        }

        var bootTime = context.StartedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReportAsync(context, bootTime, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DatastoreException or IOException or HttpRequestException)
            {
                logger.LogDebug("CalicoNodeStatus update failed ({Reason}); retrying", e.Message);
            }

            try
            {
                await Task.Delay(Tick, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReportAsync(NodeContext context, string bootTime, CancellationToken cancellationToken)
    {
        var statuses = (await context.Store.ListAsync(ResourceKinds.CalicoNodeStatuses, null, cancellationToken).ConfigureAwait(false)).Items
            .Where(s => s.Spec.Node == context.NodeName)
            .ToList();
        var now = time.GetUtcNow();
        foreach (var resource in statuses)
        {
            var period = resource.Spec.UpdatePeriodSeconds ?? DefaultUpdatePeriodSeconds;
            if (period <= 0 && resource.Status?.LastUpdated is not null)
            {
                continue; // 0: report once, then leave it
            }

            if (resource.Status?.LastUpdated is { } last && now - last < TimeSpan.FromSeconds(Math.Max(period, 1)))
            {
                continue;
            }

            resource.Status = await BuildAsync(context, resource.Spec.Classes ?? ["Agent", "BGP", "Routes"], bootTime, now).ConfigureAwait(false);
            await context.Store.UpdateStatusAsync(ResourceKinds.CalicoNodeStatuses, resource, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The status for the requested classes, in calico-node's shape.</summary>
    public async Task<CalicoNodeStatusStatus> BuildAsync(NodeContext context, IReadOnlyList<string> classes, string bootTime, DateTimeOffset now)
    {
        var status = new CalicoNodeStatusStatus { LastUpdated = now };
        var peers = await bgp.GetPeersAsync().ConfigureAwait(false);
        if (classes.Contains("Agent"))
        {
            var (ready, _) = bgp.Speaker?.GetReadiness() ?? (false, "BGP is not running");
            BgpDaemonStatus Daemon(bool enabled) => new()
            {
                State = enabled && ready ? "Ready" : "NotReady",
                Version = typeof(NodeStatusReporter).Assembly.GetName().Version?.ToString(),
                RouterId = bgp.Speaker?.Options.RouterId.ToString(),
                LastBootTime = bootTime,
                LastReconfigurationTime = bootTime,
            };
            status.Agent = new NodeAgentStatus
            {
                BirdV4 = Daemon(context.IPv4 is not null),
                BirdV6 = context.IPv6 is null ? null : Daemon(true),
            };
        }

        if (classes.Contains("BGP"))
        {
            var v4 = peers.Where(p => Family(p.Address) == AddressFamily.InterNetwork).ToList();
            var v6 = peers.Where(p => Family(p.Address) == AddressFamily.InterNetworkV6).ToList();
            status.Bgp = new NodeBgpStatus
            {
                NumberEstablishedV4 = v4.Count(p => p.State == "up"),
                NumberNotEstablishedV4 = v4.Count(p => p.State != "up"),
                NumberEstablishedV6 = v6.Count(p => p.State == "up"),
                NumberNotEstablishedV6 = v6.Count(p => p.State != "up"),
                PeersV4 = v4.Select(Peer).ToList(),
                PeersV6 = v6.Select(Peer).ToList(),
            };
        }

        if (classes.Contains("Routes"))
        {
            var routes = await NodeRoutesBuilder.BuildAsync(bgp, dataplane).ConfigureAwait(false);
            status.Routes = new NodeRoutesStatus
            {
                RoutesV4 = routes.Where(r => RouteFamily(r) == AddressFamily.InterNetwork).Select(Route).ToList(),
                RoutesV6 = routes.Where(r => RouteFamily(r) == AddressFamily.InterNetworkV6).Select(Route).ToList(),
            };
        }

        return status;
    }

    private static BgpPeerStatus Peer(NodePeerStatus peer) => new()
    {
        PeerIP = peer.Address,
        Type = peer.Type switch
        {
            "node-to-node mesh" => "NodeMesh",
            "node specific" => "NodePeer",
            _ => "GlobalPeer",
        },
        State = peer.Detail?.State.ToString() ?? "Idle",
        Since = peer.Since.ToString("O", CultureInfo.InvariantCulture),
        Reason = peer.State == "up" ? null : peer.Info,
    };

    private static RouteStatus Route(NodeRoute route) => new()
    {
        Type = route.Type,
        Destination = route.Destination,
        Gateway = route.Gateway,
        Interface = route.Interface,
        LearnedFrom = new RouteLearnedFrom { SourceType = route.SourceType, PeerIP = route.PeerIP },
    };

    private static AddressFamily Family(string address) =>
        IPAddress.TryParse(address, out var parsed) ? parsed.AddressFamily : AddressFamily.Unknown;

    private static AddressFamily RouteFamily(NodeRoute route) =>
        IPNetwork.TryParse(route.Destination, out var network) ? network.BaseAddress.AddressFamily : AddressFamily.Unknown;
}
