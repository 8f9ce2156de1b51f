using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Fsm;

/// <summary>
/// The reason of one state change: a kind, a human sentence, and for NOTIFICATIONs (sent or
/// received) the code, subcode and shutdown communication (RFC 9003), so an operator can tell
/// exactly why a session is down.
/// </summary>
public sealed record SessionReason(SessionReasonKind Kind, string Description)
{
    public byte? NotificationCode { get; init; }

    public byte? NotificationSubcode { get; init; }

    public string? ShutdownCommunication { get; init; }

    /// <summary>True for reasons that count as errors for the idle hold back-off.</summary>
    public bool IsError => Kind is SessionReasonKind.ConnectionFailed or SessionReasonKind.ConnectionClosed or SessionReasonKind.HoldTimerExpired
        or SessionReasonKind.NotificationReceived or SessionReasonKind.NotificationSent or SessionReasonKind.BadPeerAs
        or SessionReasonKind.OpenMessageError or SessionReasonKind.ProtocolError or SessionReasonKind.UnexpectedMessage
        or SessionReasonKind.MaximumPrefixesReached;

    public static SessionReason Of(SessionReasonKind kind, string description) => new(kind, description);

    public static SessionReason Received(NotificationMessage n)
    {
        ArgumentNullException.ThrowIfNull(n);
        return new SessionReason(SessionReasonKind.NotificationReceived, $"NOTIFICATION received: {n}")
        {
            NotificationCode = n.Code,
            NotificationSubcode = n.Subcode,
            ShutdownCommunication = n.ShutdownCommunication,
        };
    }

    public static SessionReason Sent(SessionReasonKind kind, NotificationMessage n, string description)
    {
        ArgumentNullException.ThrowIfNull(n);
        return new SessionReason(kind, $"{description}; NOTIFICATION sent: {n}")
        {
            NotificationCode = n.Code,
            NotificationSubcode = n.Subcode,
            ShutdownCommunication = n.ShutdownCommunication,
        };
    }

    public static SessionReason Sent(BgpError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var kind = error.Code switch
        {
            (byte)BgpErrorCode.OpenMessageError when error.Subcode == (byte)OpenMessageErrorSubcode.BadPeerAs => SessionReasonKind.BadPeerAs,
            (byte)BgpErrorCode.OpenMessageError => SessionReasonKind.OpenMessageError,
            (byte)BgpErrorCode.FiniteStateMachineError => SessionReasonKind.UnexpectedMessage,
            (byte)BgpErrorCode.HoldTimerExpired => SessionReasonKind.HoldTimerExpired,
            _ => SessionReasonKind.ProtocolError,
        };
        return Sent(kind, error.ToNotification(), error.Description);
    }

    public override string ToString() => Description;
}
