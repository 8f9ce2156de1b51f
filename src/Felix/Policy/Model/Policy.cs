using Tabby.Datastore.Validation;

namespace Tabby.Felix.Policy.Model;

/// <summary>
/// A normalized policy: what Kubernetes NetworkPolicy, Calico NetworkPolicy and GlobalNetworkPolicy
/// all compile into. <see cref="Namespace"/> is null for global policies. Rules run in order.
/// </summary>
public sealed record Policy
{
    public required PolicyKind Kind { get; init; }

    public required string Name { get; init; }

    public string? Namespace { get; init; }

    public string Tier { get; init; } = Model.Tier.Default.Name;

    /// <summary>Lower runs first; null runs after every ordered policy; ties are broken by <see cref="Key"/>.</summary>
    public double? Order { get; init; }

    /// <summary>Endpoints the policy applies to (within <see cref="Namespace"/> for namespaced kinds).</summary>
    public CalicoSelector Selector { get; init; } = CalicoSelector.All;

    /// <summary>GlobalNetworkPolicy only: restricts the policy to endpoints in matching namespaces.</summary>
    public CalicoSelector? NamespaceSelector { get; init; }

    /// <summary>Restricts the policy to endpoints whose service account labels match.</summary>
    public CalicoSelector? ServiceAccountSelector { get; init; }

    public PolicyTypes Types { get; init; }

    public IReadOnlyList<Rule> Ingress { get; init; } = [];

    public IReadOnlyList<Rule> Egress { get; init; } = [];

    /// <summary>Unique name across kinds and namespaces, as traces print it
    /// (<c>knp.default/ns/name</c>, <c>ns/name</c>, <c>name</c> for global ones).</summary>
    public string Key => Kind switch
    {
        PolicyKind.KubernetesNetworkPolicy => $"{Namespace}/knp.default.{Name}",
        PolicyKind.CalicoNetworkPolicy => $"{Namespace}/{Name}",
        _ => Name,
    };

    public IReadOnlyList<Rule> RulesFor(Direction direction) => direction == Direction.Ingress ? Ingress : Egress;

    public bool Covers(Direction direction) =>
        (Types & (direction == Direction.Ingress ? PolicyTypes.Ingress : PolicyTypes.Egress)) != 0;

    /// <summary>Validates names, rule counts and every rule.</summary>
    public Policy Validated()
    {
        PolicyNames.ValidateName(Name, "metadata.name");
        if (Kind != PolicyKind.GlobalNetworkPolicy && string.IsNullOrEmpty(Namespace))
        {
            throw new PolicyValidationException("metadata.namespace", $"a {Kind} needs a namespace");
        }

        if (Ingress.Count > Rule.MaxRulesPerDirection || Egress.Count > Rule.MaxRulesPerDirection)
        {
            throw new PolicyValidationException(Ingress.Count > Rule.MaxRulesPerDirection ? "spec.ingress" : "spec.egress",
                $"at most {Rule.MaxRulesPerDirection} rules per direction");
        }

        for (var i = 0; i < Ingress.Count; i++)
        {
            Ingress[i].Validate($"spec.ingress[{i}]");
        }

        for (var i = 0; i < Egress.Count; i++)
        {
            Egress[i].Validate($"spec.egress[{i}]");
        }

        return this;
    }

    /// <summary>Calico's default for a missing <c>types</c>: Ingress unless only egress rules exist,
    /// plus Egress when egress rules exist.</summary>
    public static PolicyTypes DefaultTypes(int ingressRules, int egressRules) =>
        egressRules == 0 ? PolicyTypes.Ingress
        : ingressRules == 0 ? PolicyTypes.Egress
        : PolicyTypes.Ingress | PolicyTypes.Egress;
}
