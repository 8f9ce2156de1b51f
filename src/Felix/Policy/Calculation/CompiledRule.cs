using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Calculation;

/// <summary>
/// A rule with its selectors bound to endpoint selections (namespace scoping applied) and its named
/// ports split out: the evaluator and the nftables renderer both work from this, so they agree.
/// </summary>
public sealed class CompiledRule
{
    public CompiledRule(Rule rule, int index, Direction direction, CompiledSide source, CompiledSide destination)
    {
        Rule = rule;
        Index = index;
        Direction = direction;
        Source = source;
        Destination = destination;
    }

    public Rule Rule { get; }

    public int Index { get; }

    public Direction Direction { get; }

    public CompiledSide Source { get; }

    public CompiledSide Destination { get; }

    public IEnumerable<EndpointSelection> Selections =>
        new[] { Source.Selection, Source.NotSelection, Destination.Selection, Destination.NotSelection }.OfType<EndpointSelection>();

    public IEnumerable<NamedPortSelection> NamedPortSelections =>
        Source.NamedPorts.Concat(Source.NamedNotPorts).Concat(Destination.NamedPorts).Concat(Destination.NamedNotPorts);
}

/// <summary>One side of a compiled rule.</summary>
public sealed class CompiledSide
{
    public required EntityMatch Match { get; init; }

    /// <summary>Endpoints the address must belong to (null = no endpoint constraint).</summary>
    public EndpointSelection? Selection { get; init; }

    /// <summary>Endpoints the address must not belong to.</summary>
    public EndpointSelection? NotSelection { get; init; }

    /// <summary>Numeric entries of <c>ports</c> (named ones are in <see cref="NamedPorts"/>).</summary>
    public IReadOnlyList<PortMatch> NumericPorts { get; init; } = [];

    public IReadOnlyList<NamedPortSelection> NamedPorts { get; init; } = [];

    public IReadOnlyList<PortMatch> NumericNotPorts { get; init; } = [];

    public IReadOnlyList<NamedPortSelection> NamedNotPorts { get; init; } = [];

    /// <summary>True when the rule lists ports (numeric or named), so one of them must match.</summary>
    public bool HasPorts => NumericPorts.Count > 0 || NamedPorts.Count > 0;
}
