using Microsoft.Extensions.Logging;
using Tabby.Bgp.Transport;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Fsm;

/// <summary>Connection collision detection (RFC 4271 section 6.8) and a peer that restarts while Established.</summary>
public sealed partial class BgpFsm
{
    private sealed class PendingConnection(IBgpConnection connection)
    {
        public IBgpConnection Connection { get; } = connection;

        public OpenMessage? Open { get; set; }
    }

    /// <summary>A second connection during OpenSent/OpenConfirm: send our OPEN on it too and decide when an OPEN names the peer's identifier.</summary>
    private void AddCollisionCandidate(IBgpConnection connection)
    {
        if (_pending is not null)
        {
            connection.Send(NotificationMessage.Cease(CeaseSubcode.ConnectionCollisionResolution));
            connection.Close();
            return;
        }

        _pending = new PendingConnection(connection);
        SendOpen(connection);
        // RFC 4271 section 6.8: in OpenConfirm the peer's identifier is known, so decide at once.
        if (State == SessionState.OpenConfirm && Negotiated is { } n && !ResolveCollision(n.RemoteOpen.BgpIdentifier, openOnPrimary: false))
        {
            // The new connection won: wait for its OPEN in OpenSent.
            _hold.Start(_settings.OpenHoldTime);
            _keepalive.Stop();
            Negotiated = null;
            Transition(SessionState.OpenSent, FsmEvent.OpenCollisionDump, SessionReason.Of(SessionReasonKind.CollisionResolved,
                $"connection collision: kept {Describe(_connection!)}, OPEN sent on it"));
        }
    }

    private void ReceiveOnCandidate(BgpMessage message)
    {
        var pending = _pending!;
        switch (message)
        {
            case OpenMessage open:
                pending.Open = open;
                if (State is SessionState.OpenSent or SessionState.OpenConfirm && !ResolveCollision(open.BgpIdentifier, openOnPrimary: false))
                {
                    // The candidate replaced the primary connection; continue the handshake on it.
                    Negotiated = null;
                    _keepalive.Stop();
                    State = SessionState.OpenSent;
                    AcceptOpen(open, FsmEvent.BgpOpen);
                }

                return;
            case NotificationMessage:
                pending.Connection.Close();
                _pending = null;
                return;
            default:
                // Anything else before the collision is resolved is an FSM error on that connection only.
                pending.Connection.Send(BgpError.Fsm(FsmErrorSubcode.UnexpectedMessageInOpenSent, (byte)message.Type, "").ToNotification());
                pending.Connection.Close();
                _pending = null;
                return;
        }
    }

    /// <summary>
    /// Keeps the connection opened by the speaker with the higher BGP Identifier (RFC 4271 section
    /// 6.8) and closes the other with Cease / Connection Collision Resolution (RFC 4486). Returns
    /// true when the primary connection stays.
    /// </summary>
    private bool ResolveCollision(uint remoteIdentifier, bool openOnPrimary)
    {
        var pending = _pending!;
        var primary = _connection!;
        uint localIdentifier = _localOpen.BgpIdentifier;
        bool keepLocallyInitiated = localIdentifier > remoteIdentifier;
        bool keepPrimary = primary.IsIncoming == pending.Connection.IsIncoming || primary.IsIncoming != keepLocallyInitiated;
        var cease = NotificationMessage.Cease(CeaseSubcode.ConnectionCollisionResolution);
        string rule = keepLocallyInitiated ? "our identifier is higher, keeping the connection we opened" : "the peer's identifier is higher, keeping the connection it opened";
        _pending = null;
        if (keepPrimary)
        {
            pending.Connection.Send(cease);
            pending.Connection.Close();
            _logger.LogInformation("{Peer}: connection collision: {Rule}; closed {Other}", _peerName, rule, Describe(pending.Connection));
            return true;
        }

        primary.Send(cease);
        primary.Close();
        _connection = pending.Connection;
        _logger.LogInformation("{Peer}: connection collision: {Rule}; closed {Other}", _peerName, rule, Describe(primary));
        if (!openOnPrimary || pending.Open is null)
        {
            Transition(State, FsmEvent.OpenCollisionDump, SessionReason.Of(SessionReasonKind.CollisionResolved, $"connection collision: {rule} ({Describe(pending.Connection)})"));
        }

        return false;
    }

    /// <summary>
    /// A new connection while Established. If the peer announced graceful restart, this is the
    /// restarted peer (RFC 4724 section 4.2): the old session ends (routes kept as stale) and the
    /// new connection starts a fresh handshake. Otherwise the new connection is the one dropped
    /// (RFC 4271 section 6.8: collisions with an Established connection keep the existing one).
    /// </summary>
    private void AcceptWhileEstablished(IBgpConnection connection, FsmEvent ev)
    {
        if (Negotiated?.PeerGracefulRestart is null)
        {
            connection.Send(NotificationMessage.Cease(CeaseSubcode.ConnectionCollisionResolution));
            connection.Close();
            return;
        }

        bool restart = _autoRestart;
        _autoRestart = false;
        GoIdle(ev, SessionReason.Of(SessionReasonKind.PeerRestarted, $"peer opened a new connection {Describe(connection)} while Established: it restarted (graceful restart)"),
            null, countsAsError: false);
        _autoRestart = restart;
        _idleHold.Stop();
        _connection = connection;
        SendOpen(connection);
        _hold.Start(_settings.OpenHoldTime);
        Transition(SessionState.OpenSent, ev, SessionReason.Of(SessionReasonKind.OpenSent, $"connection {Describe(connection)} up, OPEN sent"));
    }
}
