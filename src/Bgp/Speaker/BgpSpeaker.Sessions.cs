using Microsoft.Extensions.Logging;
using Tabby.Bgp.Fsm;
using Tabby.Bgp.Rib;
using Tabby.Bgp.Transport;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Messages;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Speaker;

/// <summary>Session life cycle on the loop: initial table, graceful restart helper, route refresh, policy changes.</summary>
public sealed partial class BgpSpeaker
{
    internal void SessionEstablished(PeerSession session, NegotiatedSession negotiated, BgpConnection connection)
    {
        if (!_peers.TryGetValue(session.Config.Address, out var current) || current != session) return;
        session.LoopConnection = connection;
        session.LoopNegotiated = negotiated;
        session.RibPeer.RouterId = negotiated.RemoteOpen.BgpIdentifier;
        session.ClearExportCache();
        session.LastImportKey = null;
        session.MaxPrefixWarned = false;
        _logger.LogInformation("{Peer}: established (AS {As}, id {Id}, hold {Hold} s, families {Families})", session.Config.DisplayName,
            negotiated.RemoteAs, negotiated.RemoteRouterId, negotiated.HoldTime.TotalSeconds, string.Join(", ", negotiated.Families));

        if (session.Stale > 0)
        {
            // RFC 4724 section 4.2: stale routes stay until End-of-RIB, except for families the
            // restarted peer no longer announces with forwarding state preserved.
            var gr = negotiated.PeerGracefulRestart;
            foreach (var family in new[] { AfiSafi.Ipv4Unicast, AfiSafi.Ipv6Unicast })
            {
                bool keep = gr is not null && gr.Families.Any(f => f.Family == family && f.ForwardingStatePreserved);
                if (!keep) RemoveStale(session, family);
            }

            if (session.Stale > 0) StartStaleTimer(session, session.Config.MaxRestartTime);
        }

        SendInitialTable(session);
    }

    /// <summary>Everything the peer should have, then End-of-RIB per family (RFC 4724 section 4.1).</summary>
    private void SendInitialTable(PeerSession session)
    {
        var connection = session.LoopConnection!;
        var negotiated = session.LoopNegotiated!;
        session.Out.Clear();
        foreach (var (handle, prefix, entry) in _rib.HandleEntries())
            if (negotiated.Supports(FamilyOf(prefix))) ExportTo(session, handle, prefix, true, entry);

        connection.SendUpdates((w, o) => session.Out.Flush(w, o));
        connection.SendUpdates((w, o) =>
        {
            var builder = new UpdateBuilder(o);
            foreach (var family in negotiated.Families) builder.WriteEndOfRib(w, family);
            return negotiated.Families.Count;
        });
        session.Synced = true;
    }

    internal void SessionDown(PeerSession session, SessionReason reason, bool gracefulRestartHelper)
    {
        session.Synced = false;
        session.EndOfRibReceived.Clear();
        session.LoopConnection = null;
        var negotiated = session.LoopNegotiated;
        session.LoopNegotiated = null;
        session.Out.Clear();
        session.ClearExportCache();
        if (!_peers.TryGetValue(session.Config.Address, out var current) || current != session) gracefulRestartHelper = false;
        if (gracefulRestartHelper && session.Config.GracefulRestart && negotiated?.PeerGracefulRestart is { } gr)
        {
            // RFC 4724 section 4.2: keep the peer's routes, marked stale, for at most its restart time.
            var keepFor = TimeSpan.FromSeconds(Math.Min(gr.RestartTimeSeconds, session.Config.MaxRestartTime.TotalSeconds));
            long stale = 0;
            foreach (var family in new[] { AfiSafi.Ipv4Unicast, AfiSafi.Ipv6Unicast })
            {
                if (gr.Families.Any(f => f.Family == family)) stale += _rib.SetFlags(session.RibPeer, family, PathFlags.Stale);
                else RemoveAllPaths(session, p => FamilyOf(p) == family);
            }

            session.Stale = stale;
            _logger.LogInformation("{Peer}: down ({Reason}); graceful restart helper: keeping {Count} routes as stale for {Seconds} s",
                session.Config.DisplayName, reason.Description, stale, keepFor.TotalSeconds);
            StartStaleTimer(session, keepFor);
            return;
        }

        _logger.LogInformation("{Peer}: down ({Reason}); withdrawing its routes", session.Config.DisplayName, reason.Description);
        StopStaleTimer(session);
        RemoveAllPaths(session, _ => true);
    }

    private void StartStaleTimer(PeerSession session, TimeSpan after)
    {
        StopStaleTimer(session);
        session.StaleTimer = Options.TimeProvider.CreateTimer(_ => Post(() =>
        {
            if (session.Stale == 0) return;
            _logger.LogInformation("{Peer}: restart timer expired, removing {Count} stale routes", session.Config.DisplayName, session.Stale);
            RemoveStale(session, null);
        }), null, after, Timeout.InfiniteTimeSpan);
    }

    private static void StopStaleTimer(PeerSession session)
    {
        session.StaleTimer?.Dispose();
        session.StaleTimer = null;
    }

    /// <summary>Removes the peer's stale paths of <paramref name="family"/> (null: all).</summary>
    private void RemoveStale(PeerSession session, AfiSafi? family)
    {
        RemoveAllPaths(session, p => (family is null || FamilyOf(p) == family) , staleOnly: true);
        if (session.Stale <= 0)
        {
            session.Stale = 0;
            StopStaleTimer(session);
        }
    }

    private void RemoveAllPaths(PeerSession session, Func<BgpPrefix, bool> which, bool staleOnly = false)
    {
        _rib.RemoveWhere(session.RibPeer, (prefix, path) =>
        {
            if (staleOnly && !path.IsStale) return false;
            if (!which(prefix)) return false;
            session.Received--;
            if (path.IsEligible) session.Accepted--;
            if (path.IsStale) session.Stale--;
            return true;
        }, static _ => { });
    }

    /// <summary>
    /// ROUTE-REFRESH (RFC 2918) and enhanced route refresh (RFC 7313): a request makes us send the
    /// family again (between BoRR and EoRR when enhanced); the peer's BoRR marks its routes stale,
    /// its EoRR removes those it did not re-send.
    /// </summary>
    internal void RouteRefreshReceived(PeerSession session, RouteRefreshMessage message)
    {
        if (!session.Synced || session.LoopConnection is not { } connection || session.LoopNegotiated is not { } negotiated) return;
        if (!negotiated.Supports(message.Family)) return;
        switch (message.Subtype)
        {
            case RouteRefreshSubtype.Request:
                ExportChanges();
                bool enhanced = negotiated.EnhancedRouteRefresh;
                if (enhanced) connection.Send(new RouteRefreshMessage(message.Family, RouteRefreshSubtype.BeginningOfRouteRefresh));
                session.Out.ResendAll(message.Family.Afi);
                connection.SendUpdates((w, o) => session.Out.Flush(w, o));
                if (enhanced) connection.Send(new RouteRefreshMessage(message.Family, RouteRefreshSubtype.EndOfRouteRefresh));
                break;
            case RouteRefreshSubtype.BeginningOfRouteRefresh:
                session.Stale += _rib.SetFlags(session.RibPeer, message.Family, PathFlags.Stale);
                break;
            case RouteRefreshSubtype.EndOfRouteRefresh:
                RemoveStale(session, message.Family);
                break;
        }
    }

    /// <summary>New policies or limits: re-import from the stored Adj-RIB-In, recompute this peer's exports.</summary>
    private void UpdatePolicies(PeerSession session, PeerConfig config)
    {
        session.Config = config;
        session.ClearExportCache();
        session.LastImportKey = null;
        session.MaxPrefixWarned = false;
        _rib.Reimport(session.RibPeer, (prefix, received) => Import(session, prefix, received), static _ => { });
        long accepted = 0;
        foreach (var (_, entry) in _rib.Entries)
            for (int i = 0; i < entry.Count; i++)
                if (entry.PathAt(i) is var p && ReferenceEquals(p.Source, session.RibPeer) && p.IsEligible) accepted++;
        session.Accepted = accepted;
        if (session.Synced && session.LoopNegotiated is { } negotiated)
        {
            foreach (var (handle, prefix, entry) in _rib.HandleEntries())
                if (negotiated.Supports(FamilyOf(prefix))) ExportTo(session, handle, prefix, true, entry);
            foreach (var (prefix, _) in session.Out.Advertised.ToList())
                if (!_rib.TryGet(prefix, out _)) session.Out.Set(prefix, null);
            // Send what the new export policy changed now: nothing else may be dirty to carry it.
            if (session.Out.PendingCount > 0 && session.LoopConnection is { } connection)
                connection.SendUpdates((w, o) => session.Out.Flush(w, o));
        }

        CheckMaxPrefixes(session);
        _logger.LogInformation("{Peer}: policies updated without restarting the session", config.DisplayName);
    }

    internal static AfiSafi FamilyOf(BgpPrefix prefix) => prefix.IsIpv4 ? AfiSafi.Ipv4Unicast : AfiSafi.Ipv6Unicast;
}
