namespace Tabby.Bgp.Fsm;

/// <summary>The FSM events of RFC 4271 section 8.1, numbered as in the RFC.</summary>
public enum FsmEvent
{
    ManualStart = 1,
    ManualStop = 2,
    AutomaticStart = 3,
    ManualStartWithPassiveTcpEstablishment = 4,
    AutomaticStartWithPassiveTcpEstablishment = 5,
    AutomaticStartWithDampPeerOscillations = 6,
    AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment = 7,
    AutomaticStop = 8,
    ConnectRetryTimerExpires = 9,
    HoldTimerExpires = 10,
    KeepaliveTimerExpires = 11,
    DelayOpenTimerExpires = 12,
    IdleHoldTimerExpires = 13,
    TcpConnectionValid = 14,
    TcpConnectionRequestInvalid = 15,
    TcpConnectionRequestAcked = 16,
    TcpConnectionConfirmed = 17,
    TcpConnectionFails = 18,
    BgpOpen = 19,
    BgpOpenWithDelayOpenTimerRunning = 20,
    BgpHeaderError = 21,
    BgpOpenMessageError = 22,
    OpenCollisionDump = 23,
    NotificationMessageVersionError = 24,
    NotificationMessage = 25,
    KeepaliveMessage = 26,
    UpdateMessage = 27,
    UpdateMessageError = 28,
}
