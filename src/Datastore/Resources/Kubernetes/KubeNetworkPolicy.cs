using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Kubernetes;

/// <summary>Kubernetes networking.k8s.io/v1 <c>NetworkPolicy</c>.</summary>
public sealed class KubeNetworkPolicy : Resource
{
    [JsonPropertyName("spec")] public KubeNetworkPolicySpec Spec { get; set; } = new();
}

public sealed class KubeNetworkPolicySpec
{
    [JsonPropertyName("podSelector")] public LabelSelectorSpec PodSelector { get; set; } = new();
    /// <summary>Ingress, Egress.</summary>
    [JsonPropertyName("policyTypes")] public List<string>? PolicyTypes { get; set; }
    [JsonPropertyName("ingress")] public List<KubeNetworkPolicyIngressRule>? Ingress { get; set; }
    [JsonPropertyName("egress")] public List<KubeNetworkPolicyEgressRule>? Egress { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class KubeNetworkPolicyIngressRule
{
    [JsonPropertyName("from")] public List<KubeNetworkPolicyPeer>? From { get; set; }
    [JsonPropertyName("ports")] public List<KubeNetworkPolicyPort>? Ports { get; set; }
}

public sealed class KubeNetworkPolicyEgressRule
{
    [JsonPropertyName("to")] public List<KubeNetworkPolicyPeer>? To { get; set; }
    [JsonPropertyName("ports")] public List<KubeNetworkPolicyPort>? Ports { get; set; }
}

public sealed class KubeNetworkPolicyPeer
{
    [JsonPropertyName("podSelector")] public LabelSelectorSpec? PodSelector { get; set; }
    [JsonPropertyName("namespaceSelector")] public LabelSelectorSpec? NamespaceSelector { get; set; }
    [JsonPropertyName("ipBlock")] public IPBlock? IpBlock { get; set; }
}

public sealed class IPBlock
{
    [JsonPropertyName("cidr")] public string Cidr { get; set; } = "";
    [JsonPropertyName("except")] public List<string>? Except { get; set; }
}

public sealed class KubeNetworkPolicyPort
{
    /// <summary>TCP (default), UDP, SCTP.</summary>
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    [JsonPropertyName("port")] public IntOrString? Port { get; set; }
    [JsonPropertyName("endPort")] public int? EndPort { get; set; }
}

/// <summary>Kubernetes metav1.LabelSelector (matchLabels AND matchExpressions).</summary>
public sealed class LabelSelectorSpec
{
    [JsonPropertyName("matchLabels")] public Dictionary<string, string>? MatchLabels { get; set; }
    [JsonPropertyName("matchExpressions")] public List<LabelSelectorRequirement>? MatchExpressions { get; set; }
}

public sealed class LabelSelectorRequirement
{
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    /// <summary>In, NotIn, Exists, DoesNotExist.</summary>
    [JsonPropertyName("operator")] public string Operator { get; set; } = "";
    [JsonPropertyName("values")] public List<string>? Values { get; set; }
}
