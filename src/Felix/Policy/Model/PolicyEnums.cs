namespace Tabby.Felix.Policy.Model;

/// <summary>What a matching rule does (Calico's rule actions).</summary>
public enum PolicyAction
{
    /// <summary>Accept the packet for this direction; no later policy or tier is consulted.</summary>
    Allow,

    /// <summary>Drop the packet.</summary>
    Deny,

    /// <summary>Log the packet and carry on with the next rule.</summary>
    Log,

    /// <summary>Skip the rest of this tier and continue with the next tier.</summary>
    Pass,
}

/// <summary>Traffic direction seen from the endpoint the policy applies to.</summary>
public enum Direction
{
    /// <summary>Traffic arriving at the endpoint.</summary>
    Ingress,

    /// <summary>Traffic leaving the endpoint.</summary>
    Egress,
}

/// <summary>Which directions a policy covers (Calico <c>types</c>, Kubernetes <c>policyTypes</c>).</summary>
[Flags]
public enum PolicyTypes
{
    None = 0,
    Ingress = 1,
    Egress = 2,
}

/// <summary>Where a policy came from; decides its namespace scoping and how it is named in traces.</summary>
public enum PolicyKind
{
    /// <summary>networking.k8s.io/v1 NetworkPolicy (converted into tier <c>default</c>, order 1000 like Calico).</summary>
    KubernetesNetworkPolicy,

    /// <summary>projectcalico.org/v3 NetworkPolicy: namespaced.</summary>
    CalicoNetworkPolicy,

    /// <summary>projectcalico.org/v3 GlobalNetworkPolicy: cluster-wide.</summary>
    GlobalNetworkPolicy,
}
