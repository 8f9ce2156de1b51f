namespace Tabby.Bgp.Fsm;

/// <summary>Why a session changed state; every transition records one (shown by status and logs).</summary>
public enum SessionReasonKind
{
    AdministrativeStart,
    AdministrativeStop,
    AutomaticStart,
    IdleHoldExpired,
    ConnectRetryExpired,
    Connecting,
    ConnectionEstablished,
    ConnectionRefused,
    ConnectionFailed,
    ConnectionClosed,
    DelayOpenExpired,
    OpenSent,
    OpenReceived,
    KeepaliveReceived,
    HoldTimerExpired,
    NotificationReceived,
    NotificationSent,
    BadPeerAs,
    OpenMessageError,
    ProtocolError,
    UnexpectedMessage,
    CollisionResolved,
    MaximumPrefixesReached,
    PeerDeconfigured,
    GracefulRestartStop,
    PeerRestarted,
}
