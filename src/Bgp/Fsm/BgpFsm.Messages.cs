using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Fsm;

/// <summary>Received messages per state (RFC 4271 section 8.2.2, FSM errors of RFC 6608).</summary>
public sealed partial class BgpFsm
{
    private void OnOpen(OpenMessage open)
    {
        switch (State)
        {
            case SessionState.Connect:
            case SessionState.Active:
                if (!_delayOpen.IsRunning) goto default;
                // RFC 4271 section 8.2.2 (event 20): OPEN while DelayOpenTimer runs: answer with OPEN and KEEPALIVE.
                _delayOpen.Stop();
                _connectRetry.Stop();
                SendOpen(_connection!);
                AcceptOpen(open, FsmEvent.BgpOpenWithDelayOpenTimerRunning);
                return;
            case SessionState.OpenSent:
                if (_pending is { } pending && !ResolveCollision(open.BgpIdentifier, openOnPrimary: true))
                {
                    // The other connection won; its OPEN (if already here) is processed now.
                    if (pending.Open is { } theirs) AcceptOpen(theirs, FsmEvent.BgpOpen);
                    return;
                }

                AcceptOpen(open, FsmEvent.BgpOpen);
                return;
            default:
                UnexpectedMessage((byte)Wire.MessageType.Open);
                return;
        }
    }

    /// <summary>Validates the peer's OPEN; on success sends KEEPALIVE and moves to OpenConfirm.</summary>
    private void AcceptOpen(OpenMessage open, FsmEvent ev)
    {
        NegotiatedSession negotiated;
        try
        {
            negotiated = OpenNegotiation.Negotiate(_settings, _localOpen, open);
        }
        catch (BgpProtocolException e)
        {
            GoIdle(FsmEvent.BgpOpenMessageError, SessionReason.Sent(e.Error), e.Error.ToNotification(), countsAsError: true);
            return;
        }

        Negotiated = negotiated;
        _connection!.SetSessionOptions(negotiated.Receive, negotiated.Send);
        _connection.Send(KeepaliveMessage.Instance);
        if (negotiated.HoldTime > TimeSpan.Zero)
        {
            _hold.Start(negotiated.HoldTime);
            _keepalive.Start(negotiated.KeepaliveTime);
        }
        else
        {
            // RFC 4271 section 4.4: a zero hold time means no KEEPALIVEs and no hold timer.
            _hold.Stop();
            _keepalive.Stop();
        }

        Transition(SessionState.OpenConfirm, ev, SessionReason.Of(SessionReasonKind.OpenReceived,
            $"OPEN received from AS {open.AsNumber} id {open.BgpIdentifierAddress}, hold time {negotiated.HoldTime.TotalSeconds} s"));
    }

    private void OnKeepalive()
    {
        switch (State)
        {
            case SessionState.OpenConfirm:
                RestartHold();
                _establishedAt = _time.GetUtcNow();
                Transition(SessionState.Established, FsmEvent.KeepaliveMessage, SessionReason.Of(SessionReasonKind.KeepaliveReceived, "KEEPALIVE received, session established"));
                _host.OnEstablished(Negotiated!, _connection!);
                return;
            case SessionState.Established:
                RestartHold();
                return;
            default:
                UnexpectedMessage((byte)Wire.MessageType.Keepalive);
                return;
        }
    }

    private void OnNotification(NotificationMessage notification)
    {
        // RFC 4271 section 8.2.2: a NOTIFICATION in any state with a connection ends it; a version
        // error (event 24) does not count against the peer.
        bool versionError = notification.Code == (byte)BgpErrorCode.OpenMessageError && notification.Subcode == (byte)OpenMessageErrorSubcode.UnsupportedVersionNumber;
        GoIdle(versionError ? FsmEvent.NotificationMessageVersionError : FsmEvent.NotificationMessage, SessionReason.Received(notification), null, countsAsError: !versionError);
    }

    private void OnUpdateOrRefresh(FsmEvent ev, Action deliver, byte messageType)
    {
        if (State != SessionState.Established)
        {
            UnexpectedMessage(messageType);
            return;
        }

        RestartHold();
        deliver();
    }

    private void RestartHold()
    {
        if (Negotiated is { HoldTime: var hold } && hold > TimeSpan.Zero) _hold.Start(hold);
    }

    /// <summary>RFC 6608 section 4: an FSM Error naming the state and the message type.</summary>
    private void UnexpectedMessage(byte messageType)
    {
        var subcode = State switch
        {
            SessionState.OpenSent => FsmErrorSubcode.UnexpectedMessageInOpenSent,
            SessionState.OpenConfirm => FsmErrorSubcode.UnexpectedMessageInOpenConfirm,
            SessionState.Established => FsmErrorSubcode.UnexpectedMessageInEstablished,
            _ => FsmErrorSubcode.UnspecifiedError,
        };
        var error = BgpError.Fsm(subcode, messageType, $"{(Wire.MessageType)messageType} is not expected in {State}");
        GoIdle(FsmEvent.UpdateMessageError, SessionReason.Sent(error), HasOpenConnection ? error.ToNotification() : null, countsAsError: true);
    }
}
