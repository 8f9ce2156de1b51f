namespace Tabby.Bgp.Fsm;

/// <summary>One recorded state change with the event that caused it and why.</summary>
public sealed record StateTransition(SessionState From, SessionState To, FsmEvent Event, SessionReason Reason, DateTimeOffset At)
{
    public override string ToString() => $"{From} -> {To} on {Event}: {Reason}";
}
