using System.Net;
using System.Net.NetworkInformation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Neighbors;

namespace Tabby.Felix.Tunnels;

/// <summary>A remote node's VXLAN endpoint.</summary>
/// <param name="NodeName">For logs.</param>
/// <param name="TunnelAddress">Its VTEP address (inner next hop of routes to its blocks).</param>
/// <param name="HardwareAddress">Its VTEP MAC.</param>
/// <param name="HostAddress">Its node IP (outer destination of encapsulated packets).</param>
public sealed record RemoteVtep(string NodeName, IPAddress TunnelAddress, PhysicalAddress HardwareAddress, IPAddress HostAddress);

/// <summary>What one VTEP sync did.</summary>
public sealed record VtepSyncResult(int NeighborsWritten, int NeighborsDeleted, int FdbWritten, int FdbDeleted);

/// <summary>
/// Keeps the VXLAN device's permanent neighbour entries (tunnel IP -> tunnel MAC) and FDB entries
/// (tunnel MAC -> host IP) equal to the set of remote VTEPs, the way the route table is kept:
/// read the kernel back, write what is missing or different, delete permanent entries nobody wants.
/// The device belongs to Tabby, so every permanent entry on it is ours; entries the kernel learns
/// itself (not permanent) are left alone.
/// </summary>
public sealed class VtepTable(NetlinkClient client, string device = "vxlan.calico", ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly Lock _lock = new();
    private Dictionary<IPAddress, RemoteVtep> _vteps = [];

    public void SetVteps(IEnumerable<RemoteVtep> vteps)
    {
        var fresh = new Dictionary<IPAddress, RemoteVtep>();
        foreach (var vtep in vteps)
        {
            if (!fresh.TryAdd(vtep.TunnelAddress, vtep))
            {
                throw new ArgumentException($"VTEP address {vtep.TunnelAddress} is claimed by both {fresh[vtep.TunnelAddress].NodeName} and {vtep.NodeName}", nameof(vteps));
            }
        }

        lock (_lock)
        {
            _vteps = fresh;
        }
    }

    /// <summary>One pass; returns null when the device does not exist (yet).</summary>
    public VtepSyncResult? Sync()
    {
        Dictionary<IPAddress, RemoteVtep> vteps;
        lock (_lock)
        {
            vteps = _vteps;
        }

        var link = client.GetLink(device);
        if (link is null)
        {
            return null;
        }

        int neighborsWritten = 0, neighborsDeleted = 0, fdbWritten = 0, fdbDeleted = 0;
        var neighbors = client.ListNeighbors(interfaceIndex: link.Index).Where(n => (n.State & NeighborState.Permanent) != 0).ToList();
        foreach (var vtep in vteps.Values)
        {
            var want = new Neighbor(link.Index, vtep.TunnelAddress) { LinkLayerAddress = vtep.HardwareAddress };
            if (!neighbors.Contains(want))
            {
                client.ReplaceNeighbor(want);
                neighborsWritten++;
            }
        }

        // Entries with a wrong MAC were overwritten above; entries for unknown VTEPs go.
        foreach (var stale in neighbors.Where(n => !vteps.ContainsKey(n.Destination)))
        {
            client.DeleteNeighbor(stale);
            neighborsDeleted++;
        }

        // FDB: an entry is a (MAC, destination) pair and a MAC may have several destinations, so
        // wrong pairs are deleted first and the wanted ones written after.
        var fdb = client.ListFdb(link.Index).Where(e => (e.State & NeighborState.Permanent) != 0 && (e.Flags & NeighborFlags.Self) != 0).ToList();
        var macs = vteps.Values.ToDictionary(v => v.HardwareAddress, v => v.HostAddress);
        foreach (var stale in fdb.Where(e => !macs.TryGetValue(e.HardwareAddress, out var host) || !host.Equals(e.Destination)))
        {
            try
            {
                client.DeleteFdb(stale);
                fdbDeleted++;
            }
            catch (NetlinkException e) when (e.Errno == Errno.ENOENT)
            {
                // Gone already.
            }
        }

        foreach (var vtep in vteps.Values)
        {
            var want = new FdbEntry(link.Index, vtep.HardwareAddress) { Destination = vtep.HostAddress };
            if (!fdb.Contains(want))
            {
                client.AppendFdb(want);
                fdbWritten++;
            }
        }

        if (neighborsWritten + neighborsDeleted + fdbWritten + fdbDeleted > 0)
        {
            _logger.LogInformation("VTEPs on {Device}: {NeighborsWritten} neighbours written, {NeighborsDeleted} deleted, {FdbWritten} FDB written, {FdbDeleted} deleted",
                device, neighborsWritten, neighborsDeleted, fdbWritten, fdbDeleted);
        }

        return new VtepSyncResult(neighborsWritten, neighborsDeleted, fdbWritten, fdbDeleted);
    }

    /// <summary>Syncs every <paramref name="interval"/> and whenever <paramref name="monitor"/> reports a neighbour or link change.</summary>
    public async Task RunAsync(TimeSpan interval, NetlinkMonitor? monitor, CancellationToken cancellationToken)
    {
        using var wake = new SemaphoreSlim(0);
        var follow = monitor is null ? Task.CompletedTask : Task.Run(async () =>
        {
            try
            {
                await foreach (var e in monitor.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (e.Kind is NetlinkEventKind.NeighborRemoved or NetlinkEventKind.NeighborChanged or NetlinkEventKind.FdbRemoved or NetlinkEventKind.FdbChanged or NetlinkEventKind.LinkChanged
                        or NetlinkEventKind.LinkRemoved or NetlinkEventKind.Overflow)
                    {
                        wake.Release();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                Sync();
            }
            catch (Exception e) when (e is NetlinkException or NetlinkProtocolException)
            {
                _logger.LogWarning(e, "VTEP sync on {Device} failed; retrying", device);
            }

            try
            {
                await wake.WaitAsync(interval, cancellationToken).ConfigureAwait(false);
                while (wake.Wait(0, CancellationToken.None))
                {
                    // Coalesce a burst of events into one sync.
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await follow.ConfigureAwait(false);
    }
}
