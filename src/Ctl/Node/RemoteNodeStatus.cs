using System.Globalization;
using Tabby.Common.Status;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;

namespace Tabby.Ctl.Node;

/// <summary>
/// Reads a node's status remotely from the CalicoNodeStatus the agent keeps up to date (any
/// CalicoNodeStatus whose spec.node names it). When there is none, one named after the node is
/// created asking for every class, and the agent's first report is awaited: this works from any
/// machine with datastore access, no root and no socket needed.
/// </summary>
internal static class RemoteNodeStatus
{
    public static async Task<CalicoNodeStatus> ReadAsync(IDatastore store, string node, TimeSpan wait, TextWriter progress, CancellationToken cancellationToken)
    {
        var existing = (await store.ListAsync(ResourceKinds.CalicoNodeStatuses, null, cancellationToken).ConfigureAwait(false)).Items
            .Where(s => s.Spec.Node == node)
            .OrderByDescending(s => s.Status?.LastUpdated ?? DateTimeOffset.MinValue)
            .FirstOrDefault();
        if (existing?.Status?.LastUpdated is not null)
        {
            return existing;
        }

        var name = existing?.Name ?? node;
        if (existing is null)
        {
            await progress.WriteLineAsync($"Creating CalicoNodeStatus {name} (classes Agent, BGP, Routes; every 10 s) and waiting for node {node} to report ...").ConfigureAwait(false);
            await store.CreateAsync(ResourceKinds.CalicoNodeStatuses, new CalicoNodeStatus
            {
                Metadata = new ObjectMeta { Name = name },
                Spec = new CalicoNodeStatusSpec { Node = node, Classes = ["Agent", "BGP", "Routes"], UpdatePeriodSeconds = 10 },
            }, cancellationToken).ConfigureAwait(false);
        }

        var deadline = DateTimeOffset.UtcNow + wait;
        while (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            if (await store.GetAsync(ResourceKinds.CalicoNodeStatuses, name, null, cancellationToken).ConfigureAwait(false) is { Status.LastUpdated: not null } reported)
            {
                return reported;
            }
        }

        throw new TimeoutException($"node {node} has not reported into CalicoNodeStatus {name} within {wait.TotalSeconds:0} s (is tabby-node running there?)");
    }

    /// <summary>True when the last report is older than three update periods: the agent has probably stopped.</summary>
    public static bool IsStale(CalicoNodeStatus status, DateTimeOffset now)
    {
        var period = Math.Max(status.Spec.UpdatePeriodSeconds ?? 10, 1);
        return status.Spec.UpdatePeriodSeconds != 0 && status.Status?.LastUpdated is { } last && now - last > TimeSpan.FromSeconds(3 * period);
    }

    /// <summary>The peers as <c>tabbyctl node status</c> prints them.</summary>
    public static StatusDocument ToStatusDocument(CalicoNodeStatus status)
    {
        var bgp = status.Status?.Bgp;
        var peers = (bgp?.PeersV4 ?? []).Concat(bgp?.PeersV6 ?? []).Select(p =>
        {
            var established = p.State == "Established";
            var since = DateTimeOffset.TryParse(p.Since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : DateTimeOffset.MinValue;
            var info = established ? "Established" : p.Reason ?? p.State;
            return new StatusPeer(p.PeerIP, PeerTypeText(p.Type), established ? "up" : "start", since, info, 0, 0);
        }).ToList();
        return new StatusDocument
        {
            Node = status.Spec.Node,
            RouterId = status.Status?.Agent?.BirdV4?.RouterId ?? status.Status?.Agent?.BirdV6?.RouterId,
            Peers = peers,
        };
    }

    /// <summary>The routes as <c>tabbyctl node routes</c> prints them.</summary>
    public static RoutesDocument ToRoutesDocument(CalicoNodeStatus status) => new()
    {
        Node = status.Spec.Node,
        Routes = (status.Status?.Routes?.RoutesV4 ?? []).Concat(status.Status?.Routes?.RoutesV6 ?? []).Select(r => new NodeRoute
        {
            Type = r.Type,
            Destination = r.Destination,
            Gateway = r.Gateway,
            Interface = r.Interface,
            SourceType = r.LearnedFrom?.SourceType ?? "",
            PeerIP = r.LearnedFrom?.PeerIP,
        }).ToList(),
    };

    private static string PeerTypeText(string type) => type switch
    {
        "NodeMesh" => "node-to-node mesh",
        "NodePeer" => "node specific",
        _ => "global",
    };
}
