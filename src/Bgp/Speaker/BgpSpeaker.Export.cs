using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Tabby.Bgp.Policy;
using Tabby.Bgp.Rib;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Speaker;

/// <summary>
/// From Loc-RIB to peers (RFC 4271 section 9.2): split horizon, route reflection (RFC 4456),
/// AS path and next hop rules, well-known communities, export policy; then packed UPDATEs.
/// </summary>
public sealed partial class BgpSpeaker
{
    private const int ExportCacheLimit = 65536;

    /// <summary>Sends what changed since the last batch to every synced peer and to the kernel channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ExportChanges()
    {
        var changed = _rib.ChangedHandles;
        if (changed.Count > 0)
        {
            // Peers whose export policy rejects everything and that have nothing from us need no
            // look at any prefix (in a route server or an ingest, most peers are like that).
            var peers = _peers.Values.Where(p => p.Synced && p.LoopConnection is not null && !(RejectsAll(p) && p.Out.Count == 0 && p.Out.PendingCount == 0)).ToArray();
            var v4 = peers.Select(p => p.LoopNegotiated!.Supports(AfiSafi.Ipv4Unicast)).ToArray();
            var v6 = peers.Select(p => p.LoopNegotiated!.Supports(AfiSafi.Ipv6Unicast)).ToArray();
            for (int k = 0; k < changed.Count; k++)
            {
                // A prefix that lost its last path keeps its handle until ReleaseEmpty below, so
                // its withdrawal goes out by handle like any other change.
                int handle = changed[k];
                var prefix = _rib.Index.PrefixOf(handle);
                bool found = _rib.TryGet(handle, out var entry);
                var supports = prefix.IsIpv4 ? v4 : v6;
                for (int i = 0; i < peers.Length; i++)
                    if (supports[i]) ExportTo(peers[i], handle, prefix, found, entry);

                if (_bestPathChanges is not null) _bestPathChanges.Writer.TryWrite(KernelView(prefix, found, entry));
            }

            _rib.ClearChanged();
            foreach (var peer in peers)
                if (peer.Out.PendingCount > 0) peer.LoopConnection!.SendUpdates((w, o) => peer.Out.Flush(w, o));
        }

        // Every Adj-RIB-Out has sent its withdrawals: prefixes without paths may give up their handles.
        _rib.ReleaseEmpty();
    }

    /// <summary>Records in the peer's Adj-RIB-Out what it should have for the prefix: the best path, or with ADD-PATH send several.</summary>
    private void ExportTo(PeerSession peer, int handle, BgpPrefix prefix, bool found, in PrefixEntry entry)
    {
        if (peer.LoopNegotiated!.Send.HasPathId(FamilyOf(prefix)))
            peer.Out.SetPaths(handle, found ? ExportPaths(peer, prefix, entry) : []);
        else
            peer.Out.Set(handle, found ? ExportFor(peer, prefix, entry) : null);
    }

    /// <summary>
    /// ADD-PATH send (RFC 7911): the eligible paths in decision order (best first), each through the
    /// export rules and policy, up to the peer's limit. Every path keeps the identifier of its
    /// source (see <see cref="SendPathId"/>), so a best-path change re-announces nothing and a
    /// vanished path is withdrawn by its own identifier.
    /// </summary>
    private List<AdvertisedPath> ExportPaths(PeerSession peer, BgpPrefix prefix, in PrefixEntry entry)
    {
        var result = _exportPaths;
        result.Clear();
        if (!entry.HasBest || RejectsAll(peer)) return result;
        var order = _pathOrder;
        order.Clear();
        order.Add(entry.BestIndex);
        for (int i = 0; i < entry.Count; i++)
            if (i != entry.BestIndex && entry.PathAt(i).IsEligible) order.Add(i);
        // Insertion sort behind the best path: prefixes have few paths.
        for (int i = 2; i < order.Count; i++)
            for (int j = i; j > 1 && _rib.Decision.Compare(entry.PathAt(order[j]), entry.PathAt(order[j - 1]), out _) < 0; j--)
                (order[j], order[j - 1]) = (order[j - 1], order[j]);

        int max = peer.Config.AddPathSendMaxPaths;
        foreach (int i in order)
        {
            var path = entry.PathAt(i);
            if (ExportPath(peer, prefix, path) is not { } attributes) continue;
            result.Add(new AdvertisedPath(SendPathId(path), attributes));
            if (max > 0 && result.Count == max) break;
        }

        return result;
    }

    /// <summary>
    /// The path identifier we send for a path: one number per (source peer, the source's own path
    /// identifier), speaker-wide and never reused, so it is unique per prefix on every session and
    /// stays the same while the path exists, whatever else changes (RFC 7911 section 3).
    /// </summary>
    private uint SendPathId(in RibPath path)
    {
        ref uint id = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_sendPathIds, (path.Source, path.PathId), out bool exists);
        if (!exists) id = (uint)_sendPathIds.Count;
        return id;
    }

    private static bool RejectsAll(PeerSession peer) => peer.Config.ExportPolicy is { Rules.Count: 0, DefaultAction.Accepts: false };

    private static BestPathChange KernelView(BgpPrefix prefix, bool found, in PrefixEntry entry)
    {
        if (!found || !entry.HasBest || entry.Best.Source.IsLocal) return new BestPathChange(prefix, []);
        var hops = new List<RouteNextHop>();
        foreach (var path in entry.MultipathSet())
            if (DecisionProcess.NextHop(path.Accepted!) is { } nh) hops.Add(new RouteNextHop(nh, path.Source.Address, path.Source.Name));
        return new BestPathChange(prefix, hops);
    }

    /// <summary>The attributes <paramref name="peer"/> should have for <paramref name="prefix"/>, or null for none.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private PathAttributes? ExportFor(PeerSession peer, BgpPrefix prefix, in PrefixEntry entry)
    {
        if (!entry.HasBest || RejectsAll(peer)) return null;
        return ExportPath(peer, prefix, entry.Best);
    }

    /// <summary>One path through the export rules and policy for <paramref name="peer"/>, cached per (source, attribute set, family) when the policy does not look at prefixes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private PathAttributes? ExportPath(PeerSession peer, BgpPrefix prefix, in RibPath path)
    {
        if (peer.Config.ExportPolicy.DependsOnPrefix) return Export(peer, prefix, path);
        var last = peer.LastExport;
        if (ReferenceEquals(last.Source, path.Source) && ReferenceEquals(last.Accepted, path.Accepted) && last.Afi == prefix.Afi) return last.Result;
        var key = (path.Source, path.Accepted!, prefix.Afi);
        if (!peer.ExportCache.TryGetValue(key, out var result))
        {
            result = Export(peer, prefix, path);
            if (peer.ExportCache.Count >= ExportCacheLimit) peer.ExportCache.Clear();
            peer.ExportCache[key] = result;
        }

        peer.LastExport = (path.Source, path.Accepted, prefix.Afi, result);
        return result;
    }

    private PathAttributes? Export(PeerSession peer, BgpPrefix prefix, in RibPath best)
    {
        var source = best.Source;
        var a = best.Accepted!;
        var target = peer.RibPeer;
        // Never back to where it came from.
        if (ReferenceEquals(source, target)) return null;
        // RFC 1997: NO_ADVERTISE goes to nobody, NO_EXPORT / NO_EXPORT_SUBCONFED stay inside the AS.
        if (a.Communities.Contains(new Community(Community.NoAdvertise))) return null;
        bool toInternal = target.IsInternal;
        if (!toInternal && (a.Communities.Contains(new Community(Community.NoExport)) || a.Communities.Contains(new Community(Community.NoExportSubconfed)))) return null;

        bool reflect = false;
        if (toInternal && source.IsInternal && !source.IsLocal)
        {
            // RFC 4271 section 9.2: iBGP-learned routes are not sent to iBGP peers, unless we
            // reflect (RFC 4456 section 6): from a client to everyone, from a non-client to clients.
            if (_clusterId == 0) return null;
            if (!source.IsRouteReflectorClient && !target.IsRouteReflectorClient) return null;
            reflect = true;
        }

        var b = a.ToBuilder();
        bool nextHopSelf;
        if (toInternal)
        {
            b.LocalPref ??= Options.Decision.DefaultLocalPreference;
            if (reflect)
            {
                // RFC 4456 section 8: ORIGINATOR_ID once, our CLUSTER_ID prepended.
                b.OriginatorId ??= source.RouterId;
                b.ClusterList.Insert(0, _clusterId);
            }

            nextHopSelf = peer.Config.NextHopMode == NextHopMode.Self && !reflect;
        }
        else
        {
            // RFC 4271 section 5.1.2: prepend our AS towards external peers; LOCAL_PREF, RR
            // attributes and a MED learned from another AS do not leave the AS (sections 5.1.4, 5.1.5).
            b.AsPath = AsPathEditing.Prepend(b.AsPath ?? AsPath.Empty, peer.LocalAs);
            b.LocalPref = null;
            b.OriginatorId = null;
            b.ClusterList.Clear();
            if (!source.IsLocal) b.MultiExitDisc = null;
            nextHopSelf = peer.Config.NextHopMode != NextHopMode.Keep;
        }

        var current = DecisionProcess.NextHop(a);
        bool unspecified = current is null || current.Equals(IPAddress.Any) || current.Equals(IPAddress.IPv6Any);
        if (nextHopSelf || unspecified)
        {
            var self = SelfAddress(peer, prefix.Afi);
            if (self is null) return null;
            if (prefix.IsIpv4)
            {
                b.NextHop = self;
                b.MpNextHop = null;
            }
            else
            {
                b.MpNextHop = self;
                b.NextHop = null;
            }

            b.MpLinkLocalNextHop = null;
        }

        var built = Interner.Intern(b.Build());
        return peer.Config.ExportPolicy.Apply(prefix, built, peer.LocalAs, Interner, learnedFromPeer: !source.IsLocal);
    }

    /// <summary>Our next hop towards <paramref name="peer"/>: configured, else the session's local address of that family.</summary>
    private static IPAddress? SelfAddress(PeerSession peer, Afi afi)
    {
        var configured = afi == Afi.Ipv4 ? peer.Config.NextHopIpv4 : peer.Config.NextHopIpv6;
        if (configured is not null) return configured;
        var local = peer.LoopConnection?.LocalEndPoint?.Address;
        if (local is null) return null;
        var family = afi == Afi.Ipv4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        return local.AddressFamily == family ? local : null;
    }
}
