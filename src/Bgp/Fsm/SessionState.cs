namespace Tabby.Bgp.Fsm;

/// <summary>The six session states of RFC 4271 section 8.2.2.</summary>
public enum SessionState
{
    Idle,
    Connect,
    Active,
    OpenSent,
    OpenConfirm,
    Established,
}
