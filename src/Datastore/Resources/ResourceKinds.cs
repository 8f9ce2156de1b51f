using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Resources.Kubernetes;

namespace Tabby.Datastore.Resources;

/// <summary>The registry of every kind Tabby stores or reads.</summary>
public static class ResourceKinds
{
    public const string CalicoCrdGroup = "crd.projectcalico.org";
    public const string CalicoCrdVersion = "v1";
    /// <summary>apiVersion of calicoctl documents, accepted by tabbyctl apply.</summary>
    public const string CalicoV3ApiVersion = "projectcalico.org/v3";

    private static readonly DatastoreJsonContext Json = DatastoreJsonContext.Default;

    public static readonly ResourceKind<IPPool> IPPools = Calico("IPPool", "ippools", false, Json.IPPool, "IPPool", "ippool", "ipp");
    public static readonly ResourceKind<IPAMBlock> IPAMBlocks = Calico("IPAMBlock", "ipamblocks", false, Json.IPAMBlock, null, "ipamblock");
    public static readonly ResourceKind<BlockAffinity> BlockAffinities = Calico("BlockAffinity", "blockaffinities", false, Json.BlockAffinity, null, "blockaffinity");
    public static readonly ResourceKind<IPAMHandle> IPAMHandles = Calico("IPAMHandle", "ipamhandles", false, Json.IPAMHandle, null, "ipamhandle");
    public static readonly ResourceKind<IPAMConfig> IPAMConfigs = Calico("IPAMConfig", "ipamconfigs", false, Json.IPAMConfig, "IPAMConfiguration", "ipamconfig", "ipamconfiguration", "ipamconfigurations");
    public static readonly ResourceKind<BGPConfiguration> BGPConfigurations = Calico("BGPConfiguration", "bgpconfigurations", false, Json.BGPConfiguration, "BGPConfiguration", "bgpconfiguration", "bgpconfig", "bgpconfigs");
    public static readonly ResourceKind<BGPPeer> BGPPeers = Calico("BGPPeer", "bgppeers", false, Json.BGPPeer, "BGPPeer", "bgppeer");
    public static readonly ResourceKind<BGPFilter> BGPFilters = Calico("BGPFilter", "bgpfilters", false, Json.BGPFilter, "BGPFilter", "bgpfilter");
    public static readonly ResourceKind<CalicoNode> CalicoNodes = Calico("Node", "nodes", false, Json.CalicoNode, "Node", "node", "calicoNode");
    public static readonly ResourceKind<CalicoNodeStatus> CalicoNodeStatuses = Calico("CalicoNodeStatus", "caliconodestatuses", false, Json.CalicoNodeStatus, "CalicoNodeStatus", "caliconodestatus");
    public static readonly ResourceKind<CalicoNetworkPolicy> NetworkPolicies = Calico("NetworkPolicy", "networkpolicies", true, Json.CalicoNetworkPolicy, "NetworkPolicy", "networkpolicy", "netpol");
    public static readonly ResourceKind<GlobalNetworkPolicy> GlobalNetworkPolicies = Calico("GlobalNetworkPolicy", "globalnetworkpolicies", false, Json.GlobalNetworkPolicy, "GlobalNetworkPolicy", "globalnetworkpolicy", "gnp");
    public static readonly ResourceKind<Tier> Tiers = Calico("Tier", "tiers", false, Json.Tier, "Tier", "tier");

    public static readonly ResourceKind<KubeNode> KubeNodes = new("Node", "", "v1", "nodes", false, Json.KubeNode, null, ["kubenode", "kubenodes", "k8snode", "k8snodes"]);
    public static readonly ResourceKind<Pod> Pods = new("Pod", "", "v1", "pods", true, Json.Pod, null, ["pod", "po"]);
    public static readonly ResourceKind<KubeNamespace> Namespaces = new("Namespace", "", "v1", "namespaces", false, Json.KubeNamespace, null, ["namespace", "ns"]);
    public static readonly ResourceKind<Service> Services = new("Service", "", "v1", "services", true, Json.Service, null, ["service", "svc"]);
    public static readonly ResourceKind<Secret> Secrets = new("Secret", "", "v1", "secrets", true, Json.Secret, null, ["secret"]);
    public static readonly ResourceKind<KubeNetworkPolicy> KubeNetworkPolicies = new("NetworkPolicy", "networking.k8s.io", "v1", "networkpolicies", true, Json.KubeNetworkPolicy, null, ["k8snetworkpolicy", "k8snetworkpolicies"]);

    /// <summary>Every kind, Calico kinds first.</summary>
    public static readonly IReadOnlyList<ResourceKind> All =
    [
        IPPools, IPAMBlocks, BlockAffinities, IPAMHandles, IPAMConfigs, BGPConfigurations, BGPPeers, BGPFilters,
        CalicoNodes, CalicoNodeStatuses, NetworkPolicies, GlobalNetworkPolicies, Tiers,
        KubeNodes, Pods, Namespaces, Services, Secrets, KubeNetworkPolicies,
    ];

    private static readonly Dictionary<Type, ResourceKind> ByType = All.ToDictionary(k => k.ClrType);

    /// <summary>The kind of a CLR resource type.</summary>
    public static ResourceKind<T> For<T>() where T : Resource => (ResourceKind<T>)ByType[typeof(T)];

    public static ResourceKind For(Type type) =>
        ByType.TryGetValue(type, out var kind) ? kind : throw new ArgumentException($"{type.Name} is not a registered resource type", nameof(type));

    /// <summary>
    /// Finds the kind of a document from its apiVersion and kind. Accepts crd.projectcalico.org/v1,
    /// calicoctl's projectcalico.org/v3 and the Kubernetes built-in groups.
    /// </summary>
    public static ResourceKind? FromApiVersionAndKind(string? apiVersion, string? kind)
    {
        if (apiVersion is null || kind is null)
        {
            return null;
        }

        if (apiVersion == CalicoV3ApiVersion)
        {
            return All.FirstOrDefault(k => k.IsCalico && k.CalicoV3Kind == kind);
        }

        return All.FirstOrDefault(k => k.ApiVersion == apiVersion && k.Kind == kind);
    }

    /// <summary>
    /// Finds a kind by a name typed on the command line: kind, plural, singular or short name, case
    /// insensitive. Calico kinds win over Kubernetes kinds of the same name (node, networkpolicy), as in calicoctl.
    /// </summary>
    public static ResourceKind? FromCommandLineName(string name) =>
        All.FirstOrDefault(k =>
            string.Equals(k.Kind, name, StringComparison.OrdinalIgnoreCase) ||
            string.Equals(k.Plural, name, StringComparison.OrdinalIgnoreCase) ||
            (k.CalicoV3Kind is not null && string.Equals(k.CalicoV3Kind, name, StringComparison.OrdinalIgnoreCase)) ||
            k.ShortNames.Any(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase)));

    private static ResourceKind<T> Calico<T>(string kind, string plural, bool namespaced,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, string? v3Kind, params string[] shortNames)
        where T : Resource =>
        new(kind, CalicoCrdGroup, CalicoCrdVersion, plural, namespaced, typeInfo, v3Kind, shortNames);
}
