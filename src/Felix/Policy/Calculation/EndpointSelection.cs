using System.Text;
using Tabby.Felix.Policy.Model;
using Tabby.Datastore.Validation;

namespace Tabby.Felix.Policy.Calculation;

/// <summary>
/// A set of endpoints a rule refers to, with its namespace scoping made explicit: in namespace
/// <see cref="Namespace"/> (or any when null), in namespaces matching <see cref="NamespaceSelector"/>,
/// with labels matching <see cref="Selector"/> and the service account constraints. Equal selections
/// share one IP set; <see cref="Id"/> is the key.
/// </summary>
public sealed record EndpointSelection
{
    public EndpointSelection(string? @namespace, CalicoSelector? namespaceSelector, CalicoSelector selector,
        IReadOnlyList<string>? serviceAccountNames = null, CalicoSelector? serviceAccountSelector = null)
    {
        Namespace = @namespace;
        NamespaceSelector = namespaceSelector;
        Selector = selector;
        ServiceAccountNames = serviceAccountNames is { Count: > 0 } ? [.. serviceAccountNames.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] : [];
        ServiceAccountSelector = serviceAccountSelector;
        var id = new StringBuilder();
        id.Append("ns=").Append(Namespace ?? "*");
        if (NamespaceSelector is not null)
        {
            id.Append(";nssel=").Append(NamespaceSelector.Canonical);
        }

        id.Append(";sel=").Append(Selector.Canonical);
        if (ServiceAccountNames.Count > 0)
        {
            id.Append(";sa=").AppendJoin(',', ServiceAccountNames);
        }

        if (ServiceAccountSelector is not null)
        {
            id.Append(";sasel=").Append(ServiceAccountSelector.Canonical);
        }

        Id = id.ToString();
    }

    private EndpointSelection(IReadOnlyList<EndpointSelection> alternatives)
    {
        Alternatives = [.. alternatives.DistinctBy(a => a.Id).OrderBy(a => a.Id, StringComparer.Ordinal)];
        Selector = CalicoSelector.All;
        ServiceAccountNames = [];
        Id = "any(" + string.Join(" | ", Alternatives.Select(a => a.Id)) + ")";
    }

    /// <summary>Endpoints of any of <paramref name="alternatives"/> (one alternative is itself).</summary>
    public static EndpointSelection AnyOf(IReadOnlyList<EndpointSelection> alternatives) =>
        alternatives.Count == 1 ? alternatives[0] : new EndpointSelection(alternatives);

    /// <summary>Set for a union: the endpoint must belong to one of these.</summary>
    public IReadOnlyList<EndpointSelection>? Alternatives { get; }

    /// <summary>Every endpoint in every namespace.</summary>
    public static readonly EndpointSelection Everything = new(null, null, CalicoSelector.All);

    public string? Namespace { get; }

    public CalicoSelector? NamespaceSelector { get; }

    public CalicoSelector Selector { get; }

    public IReadOnlyList<string> ServiceAccountNames { get; }

    public CalicoSelector? ServiceAccountSelector { get; }

    public string Id { get; }

    /// <summary>
    /// Whether <paramref name="endpoint"/> belongs to the selection. <paramref name="ns"/> is the
    /// endpoint's namespace (null when unknown: then a namespaceSelector cannot match, fail closed).
    /// </summary>
    public bool Matches(Endpoint endpoint, NamespaceInfo? ns)
    {
        if (Alternatives is not null)
        {
            foreach (var alternative in Alternatives)
            {
                if (alternative.Matches(endpoint, ns))
                {
                    return true;
                }
            }

            return false;
        }

        if (Namespace is not null && !string.Equals(Namespace, endpoint.Namespace, StringComparison.Ordinal))
        {
            return false;
        }

        if (NamespaceSelector is { IsAll: false } && (ns is null || !NamespaceSelector.Matches(ns.Labels)))
        {
            return false;
        }

        if (!Selector.Matches(endpoint.Labels))
        {
            return false;
        }

        if (ServiceAccountNames.Count > 0 && !ServiceAccountNames.Contains(endpoint.ServiceAccount, StringComparer.Ordinal))
        {
            return false;
        }

        return ServiceAccountSelector is null || ServiceAccountSelector.Matches(endpoint.ServiceAccountLabels);
    }

    /// <summary>True when the selection depends on namespace labels (namespace label changes re-check it).</summary>
    public bool UsesNamespaceLabels => NamespaceSelector is not null || (Alternatives?.Any(a => a.UsesNamespaceLabels) ?? false);

    public override string ToString() => Id;
}

/// <summary>Named port <see cref="PortName"/>/<see cref="Protocol"/> on the endpoints of <see cref="Endpoints"/>:
/// resolves to (address, protocol, port) triples, one per endpoint that has the port.</summary>
public sealed record NamedPortSelection(EndpointSelection Endpoints, string PortName, Protocol Protocol)
{
    public string Id => $"{Endpoints.Id};port={PortName}/{Protocol}";
}
