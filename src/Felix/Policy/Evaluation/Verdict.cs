using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Evaluation;

/// <summary>Why one step of the evaluation ended the way it did.</summary>
public enum TraceReason
{
    /// <summary>A rule matched (see <see cref="TraceStep.RuleIndex"/>).</summary>
    RuleMatched,

    /// <summary>No policy applies to the endpoint in this direction: it is not isolated.</summary>
    NotIsolated,

    /// <summary>Policies of the tier applied but none decided: the tier's default action.</summary>
    TierDefault,

    /// <summary>Every tier passed: the namespace profile allows (Calico semantics).</summary>
    AllTiersPassed,

    /// <summary>The address belongs to no endpoint Tabby knows: no workload policy on this side.</summary>
    NotAnEndpoint,
}

/// <summary>One line of a trace: who decided what, in order.</summary>
public sealed record TraceStep(Direction Direction, string Endpoint, string? Tier, string? Policy, int? RuleIndex,
    string? RuleOrigin, PolicyAction Action, TraceReason Reason)
{
    public override string ToString()
    {
        var where = Policy is null ? Tier is null ? "" : $" tier {Tier}" : $" tier {Tier} policy {Policy}";
        var rule = RuleIndex is { } i ? $" rule {i}{(string.IsNullOrEmpty(RuleOrigin) ? "" : $" ({RuleOrigin})")}" : "";
        return $"{Direction.ToString().ToLowerInvariant()} {Endpoint}:{where}{rule} -> {Action} [{Reason}]";
    }
}

/// <summary>Allowed or not, and the steps that decided, in evaluation order (egress of the source first).</summary>
public sealed record Verdict(bool Allowed, IReadOnlyList<TraceStep> Steps)
{
    public override string ToString() => (Allowed ? "ALLOW" : "DENY") + Environment.NewLine + string.Join(Environment.NewLine, Steps);
}
