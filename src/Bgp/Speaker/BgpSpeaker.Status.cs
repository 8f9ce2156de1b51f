using Tabby.Bgp.Fsm;
using Tabby.Bgp.Rib;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Speaker;

/// <summary>Status snapshots and readiness (Calico's bird-ready semantics).</summary>
public sealed partial class BgpSpeaker
{
    /// <summary>Every peer's state, reason and counters, taken on the loop.</summary>
    public async Task<SpeakerStatus> GetStatusAsync()
    {
        SpeakerStatus? status = null;
        await InvokeAsync(() => status = new SpeakerStatus
        {
            RouterId = Options.RouterId.ToString(),
            LocalAs = Options.LocalAs,
            Prefixes = _rib.PrefixCount,
            Paths = _rib.PathCount,
            AttributeSets = Interner.Count,
            RejectedConnections = RejectedConnections,
            Peers = _peers.Values.OrderBy(p => p.Config.DisplayName, StringComparer.Ordinal).Select(PeerStatusOf).ToList(),
        }).ConfigureAwait(false);
        return status!;
    }

    private static PeerStatus PeerStatusOf(PeerSession p)
    {
        var fsm = p.Fsm;
        var negotiated = p.LoopNegotiated;
        return new PeerStatus
        {
            Name = p.Config.DisplayName,
            Address = p.Config.Address.ToString(),
            RemoteAs = p.Config.RemoteAs,
            LocalAs = p.LocalAs,
            Type = p.RibPeer.IsInternal ? (p.RibPeer.IsRouteReflectorClient ? "ibgp rr-client" : "ibgp") : "ebgp",
            State = fsm.State,
            Since = fsm.Since,
            LastReason = fsm.LastReason?.Description,
            LastError = fsm.LastError?.Description,
            RemoteRouterId = negotiated?.RemoteRouterId.ToString(),
            HoldTimeSeconds = negotiated?.HoldTime.TotalSeconds,
            Families = negotiated?.Families.Select(f => f.ToString()).ToList() ?? [],
            PrefixesReceived = p.Received,
            PrefixesAccepted = p.Accepted,
            PrefixesAdvertised = p.Out.Count,
            StalePrefixes = p.Stale,
            InitialTableReceived = negotiated is null ? false
                : negotiated.Families.All(p.EndOfRibReceived.Contains) ? true
                : negotiated.RemoteOpen.HasCapability(Wire.Capabilities.CapabilityCode.GracefulRestart) ? false
                : null,
            FlapCount = fsm.FlapCount,
            MessagesIn = p.Counters.InByType(),
            MessagesOut = p.Counters.OutByType(),
            GracefulRestartHelping = p.Stale > 0,
        };
    }

    /// <summary>The Loc-RIB with every path and why the best one won; <paramref name="filter"/> limits it to prefixes it covers or equals.</summary>
    public async Task<IReadOnlyList<RouteStatus>> GetRoutesAsync(BgpPrefix? filter = null, int limit = int.MaxValue)
    {
        var routes = new List<RouteStatus>();
        await InvokeAsync(() =>
        {
            var match = filter is { } f ? Policy.PrefixMatch.OrLonger(f) : null;
            foreach (var (prefix, entry) in _rib.Entries)
            {
                if (match is not null && !match.Matches(prefix)) continue;
                routes.Add(RouteStatusOf(prefix, entry));
                if (routes.Count >= limit) break;
            }
        }).ConfigureAwait(false);
        routes.Sort((a, b) => string.CompareOrdinal(a.Prefix, b.Prefix));
        return routes;
    }

    private static RouteStatus RouteStatusOf(BgpPrefix prefix, in PrefixEntry entry)
    {
        var paths = new List<PathStatus>(entry.Count);
        for (int i = 0; i < entry.Count; i++)
        {
            var p = entry.PathAt(i);
            var a = p.Accepted ?? p.Received;
            paths.Add(new PathStatus
            {
                From = p.Source.IsLocal ? "local" : $"{p.Source.Name} ({p.Source.Address})",
                PeerAddress = p.Source.IsLocal ? null : p.Source.Address.ToString(),
                NextHop = (a.MpNextHop ?? a.NextHop)?.ToString(),
                AsPath = a.AsPath?.ToString() ?? "",
                LocalPreference = a.LocalPref,
                Med = a.MultiExitDisc,
                Origin = a.Origin?.ToString().ToLowerInvariant(),
                Communities = a.Communities.Select(c => c.ToString()).ToList(),
                LargeCommunities = a.LargeCommunities.Select(c => c.ToString()).ToList(),
                OriginatorId = a.OriginatorId is { } o ? Ipv4(o) : null,
                ClusterList = a.ClusterList.Select(Ipv4).ToList(),
                PathId = p.PathId,
                Best = i == entry.BestIndex,
                Multipath = i < 32 && (entry.MultipathMask & (1u << i)) != 0,
                Stale = p.IsStale,
                Accepted = p.IsEligible,
            });
        }

        paths.Sort((x, y) => y.Best.CompareTo(x.Best));
        return new RouteStatus { Prefix = prefix.ToString(), Reason = entry.HasBest ? entry.Reason.Describe() : "no eligible path", Paths = paths };
    }

    private static string Ipv4(uint v) => $"{v >> 24}.{(v >> 16) & 0xFF}.{(v >> 8) & 0xFF}.{v & 0xFF}";

    /// <summary>
    /// Readiness as Calico's bird-ready check: no peers is ready; during the first 30 s every peer
    /// must be Established; afterwards one Established peer is enough; not ready while we restart
    /// gracefully and have not yet re-synchronised every peer.
    /// </summary>
    public (bool Ready, string Message) GetReadiness()
    {
        var peers = _peers.Values.ToList();
        if (peers.Count == 0) return (true, "no BGP peers configured");
        var down = peers.Where(p => p.Fsm.State != SessionState.Established).Select(p => p.Config.Address.ToString()).ToList();
        if (Options.RestartingAfterGracefulRestart && peers.Any(p => !p.Synced)) return (false, "graceful restart in progress");
        bool early = Options.TimeProvider.GetUtcNow() - _startedAt < TimeSpan.FromSeconds(30);
        if (down.Count == 0 || (!early && down.Count < peers.Count)) return (true, "BGP established");
        return (false, $"BGP not established with {string.Join(",", down)}");
    }
}
