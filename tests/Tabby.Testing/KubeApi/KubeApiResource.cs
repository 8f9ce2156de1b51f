namespace Tabby.Testing.KubeApi;

/// <summary>One REST resource the emulator serves (what a CRD or a built-in type declares).</summary>
public sealed record KubeApiResource(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    /// <summary>
    /// The resource declares a status subresource (as the CRD does): a PUT of the object keeps the
    /// stored status, and only a PUT to <c>.../NAME/status</c> changes it (and nothing else).
    /// </summary>
    public bool HasStatusSubresource { get; init; }

    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>The resources Tabby uses: Kubernetes built-ins and the crd.projectcalico.org/v1 CRDs.</summary>
    public static IReadOnlyList<KubeApiResource> Defaults { get; } =
    [
        new("", "v1", "nodes", "Node", false),
        new("", "v1", "pods", "Pod", true),
        new("", "v1", "namespaces", "Namespace", false),
        new("", "v1", "services", "Service", true),
        new("", "v1", "secrets", "Secret", true),
        new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true),
        Calico("ippools", "IPPool"),
        Calico("ipamblocks", "IPAMBlock"),
        Calico("blockaffinities", "BlockAffinity"),
        Calico("ipamhandles", "IPAMHandle"),
        Calico("ipamconfigs", "IPAMConfig"),
        Calico("bgpconfigurations", "BGPConfiguration"),
        Calico("bgppeers", "BGPPeer"),
        Calico("bgpfilters", "BGPFilter"),
        Calico("caliconodestatuses", "CalicoNodeStatus") with { HasStatusSubresource = true },
        Calico("networkpolicies", "NetworkPolicy", namespaced: true),
        Calico("globalnetworkpolicies", "GlobalNetworkPolicy"),
        Calico("tiers", "Tier"),
    ];

    private static KubeApiResource Calico(string plural, string kind, bool namespaced = false) =>
        new("crd.projectcalico.org", "v1", plural, kind, namespaced);
}
