using System.Net;
using Tabby.Datastore.Validation;

namespace Tabby.Felix.Policy.Model;

/// <summary>
/// The source or destination half of a rule. Every field that is set must match (AND); inside a
/// list any entry may match (OR). Selectors only match addresses of endpoints Tabby knows.
/// </summary>
public sealed record EntityMatch
{
    public static readonly EntityMatch Any = new();

    public IReadOnlyList<IPNetwork> Nets { get; init; } = [];

    public IReadOnlyList<IPNetwork> NotNets { get; init; } = [];

    /// <summary>Endpoints whose labels match; in a namespaced policy only endpoints of its namespace
    /// unless <see cref="NamespaceSelector"/> is set.</summary>
    public CalicoSelector? Selector { get; init; }

    public CalicoSelector? NotSelector { get; init; }

    /// <summary>Endpoints in namespaces whose labels match.</summary>
    public CalicoSelector? NamespaceSelector { get; init; }

    /// <summary>Endpoints running as one of these service accounts (empty = any).</summary>
    public IReadOnlyList<string> ServiceAccountNames { get; init; } = [];

    /// <summary>Endpoints whose service account labels match.</summary>
    public CalicoSelector? ServiceAccountSelector { get; init; }

    /// <summary>
    /// Endpoints of any of these selector-only matches (each with <see cref="Selector"/> and/or
    /// <see cref="NamespaceSelector"/>): the several pod/namespace peers of one Kubernetes rule,
    /// kept in one rule so the dataplane needs one set lookup instead of one rule per peer.
    /// </summary>
    public IReadOnlyList<EntityMatch> AnyOf { get; init; } = [];

    public IReadOnlyList<PortMatch> Ports { get; init; } = [];

    public IReadOnlyList<PortMatch> NotPorts { get; init; } = [];

    /// <summary>True when some field restricts which endpoints match (so only known endpoint IPs can).</summary>
    public bool SelectsEndpoints =>
        Selector is not null || NamespaceSelector is not null || ServiceAccountNames.Count > 0 || ServiceAccountSelector is not null
        || AnyOf.Count > 0;

    public bool IsAny => Nets.Count == 0 && NotNets.Count == 0 && !SelectsEndpoints && NotSelector is null && Ports.Count == 0 && NotPorts.Count == 0;
}
