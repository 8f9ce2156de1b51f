using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Tabby.Bgp.Fsm;
using Tabby.Bgp.Policy;
using Tabby.Bgp.Rib;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Speaker;

/// <summary>Received UPDATEs into the Loc-RIB: loop checks, import policy, limits (RFC 4271 section 9.1).</summary>
public sealed partial class BgpSpeaker
{
    internal void ApplyUpdate(PeerSession session, UpdateMessage update)
    {
        if (!session.Synced) return;
        if (update.IsEndOfRib(out var eorFamily))
        {
            // RFC 4724 section 4.2: End-of-RIB ends the wait for this family's stale routes.
            session.EndOfRibReceived.Add(eorFamily);
            if (session.Stale > 0) RemoveStale(session, eorFamily);
            return;
        }

        Withdraw(session, update.Withdrawn);
        if (update.MpUnreach is { } unreach && unreach.Family.IsUnicastIp) Withdraw(session, unreach);
        if (update.IsTreatAsWithdraw || update.Attributes is null)
        {
            // RFC 7606 section 2: treat-as-withdraw withdraws what the UPDATE announced.
            if (update.IsTreatAsWithdraw)
            {
                _logger.LogWarning("{Peer}: UPDATE treated as withdraw: {Errors}", session.Config.DisplayName, string.Join("; ", update.Errors));
                Withdraw(session, update.Nlri);
                if (update.MpReach is { } r && r.Family.IsUnicastIp) Withdraw(session, r);
            }

            return;
        }

        var received = update.Attributes;
        Announce(session, update.Nlri, received);
        if (update.MpReach is { } reach && reach.Family.IsUnicastIp && session.LoopNegotiated!.Supports(reach.Family)) Announce(session, reach, received);
        CheckMaxPrefixes(session);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Withdraw(PeerSession session, NlriSection section)
    {
        foreach (var entry in section)
        {
            var change = _rib.Remove(entry.Prefix, session.RibPeer, entry.PathId, out var removed);
            if ((change & RibChange.Existed) == 0) continue;
            session.Received--;
            if ((change & RibChange.WasEligible) != 0) session.Accepted--;
            if (removed.IsStale) session.Stale--;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Announce(PeerSession session, NlriSection section, PathAttributes received)
    {
        var policy = session.Config.ImportPolicy;
        PathAttributes? sharedAccepted = null;
        bool perPrefix = policy.DependsOnPrefix;
        if (!perPrefix) sharedAccepted = ImportCached(session, received);
        foreach (var entry in section)
        {
            var accepted = perPrefix ? Import(session, entry.Prefix, received) : sharedAccepted;
            var change = _rib.Upsert(entry.Prefix, new RibPath(session.RibPeer, received, accepted, entry.PathId), out var previous);
            if ((change & RibChange.Existed) == 0) session.Received++;
            else if (previous.IsStale) session.Stale--;
            bool was = (change & RibChange.WasEligible) != 0;
            if (accepted is not null && !was) session.Accepted++;
            else if (accepted is null && was) session.Accepted--;
        }
    }

    /// <summary>UPDATEs usually repeat one attribute set many times: remember the last result.</summary>
    private PathAttributes? ImportCached(PeerSession session, PathAttributes received)
    {
        if (ReferenceEquals(session.LastImportKey, received)) return session.LastImportResult;
        var result = Import(session, default, received);
        session.LastImportKey = received;
        session.LastImportResult = result;
        return result;
    }

    /// <summary>Loop and sanity checks, then import policy; null means the path is not eligible.</summary>
    private PathAttributes? Import(PeerSession session, BgpPrefix prefix, PathAttributes received)
    {
        var peer = session.RibPeer;
        var asPath = received.AsPath ?? AsPath.Empty;
        // RFC 4271 section 9.1.2: a path containing our own AS is a loop (allowas-in relaxes it).
        if (AsPathEditing.Occurrences(asPath, session.LocalAs) > session.Config.AllowOwnAs) return null;
        if (asPath.PathLength > Options.MaxAsPathLength) return null;
        if (peer.IsInternal)
        {
            // RFC 4456 section 8: our own ORIGINATOR_ID or CLUSTER_ID means the route looped.
            if (received.OriginatorId == _local.RouterId) return null;
            if (_clusterId != 0 && received.ClusterList.Contains(_clusterId)) return null;
        }

        var attributes = received;
        bool stripLocalPref = !peer.IsInternal && received.LocalPref is not null;
        int unknownBytes = 0;
        foreach (var u in received.Unknown) unknownBytes += u.Value.Length;
        bool dropUnknown = unknownBytes > Options.MaxUnknownAttributeBytes;
        if (stripLocalPref || dropUnknown)
        {
            var b = received.ToBuilder();
            // RFC 4271 section 5.1.5: LOCAL_PREF from an external peer is ignored.
            if (stripLocalPref) b.LocalPref = null;
            if (dropUnknown) b.Unknown.Clear();
            attributes = Interner.Intern(b.Build());
        }

        return session.Config.ImportPolicy.Apply(prefix, attributes, session.LocalAs, Interner);
    }

    /// <summary>
    /// Maximum prefixes (RFC 4486 section 4): warn once, or Cease / Maximum Number of Prefixes
    /// Reached with AFI, SAFI and the limit as data, then stay idle for the restart time.
    /// </summary>
    private void CheckMaxPrefixes(PeerSession session)
    {
        if (session.Config.MaxPrefixes is not { } max || session.Accepted <= max) return;
        if (session.Config.MaxPrefixAction == MaxPrefixAction.Warn)
        {
            if (!session.MaxPrefixWarned)
                _logger.LogWarning("{Peer}: {Count} prefixes accepted, above the limit of {Max}", session.Config.DisplayName, session.Accepted, max);
            session.MaxPrefixWarned = true;
            return;
        }

        var data = new byte[7];
        data[1] = (byte)Afi.Ipv4;
        data[2] = (byte)Safi.Unicast;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(3), (uint)max);
        var notification = new NotificationMessage((byte)BgpErrorCode.Cease, (byte)CeaseSubcode.MaximumNumberOfPrefixesReached, data);
        var reason = SessionReason.Sent(SessionReasonKind.MaximumPrefixesReached, notification,
            $"{session.Accepted} prefixes accepted, above the limit of {max}; idle for {session.Config.MaxPrefixRestartTime.TotalSeconds} s");
        _logger.LogWarning("{Peer}: {Reason}", session.Config.DisplayName, reason.Description);
        session.Synced = false;
        session.Fsm.Reset(notification, reason, session.Config.MaxPrefixRestartTime);
    }
}
