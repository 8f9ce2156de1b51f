using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Kubernetes;

/// <summary>Kubernetes core/v1 <c>Node</c> (the fields the agent reads).</summary>
public sealed class KubeNode : Resource
{
    [JsonPropertyName("spec")] public KubeNodeSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public KubeNodeStatus? Status { get; set; }
}

public sealed class KubeNodeSpec
{
    [JsonPropertyName("podCIDR")] public string? PodCidr { get; set; }
    [JsonPropertyName("podCIDRs")] public List<string>? PodCidrs { get; set; }
    [JsonPropertyName("providerID")] public string? ProviderId { get; set; }
    [JsonPropertyName("unschedulable")] public bool? Unschedulable { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class KubeNodeStatus
{
    [JsonPropertyName("addresses")] public List<KubeNodeAddress>? Addresses { get; set; }
    [JsonPropertyName("conditions")] public List<KubeCondition>? Conditions { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class KubeNodeAddress
{
    /// <summary>InternalIP, ExternalIP, Hostname, InternalDNS, ExternalDNS.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
}

public sealed class KubeCondition
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("reason")] public string? Reason { get; set; }
    [JsonPropertyName("message")] public string? Message { get; set; }
    [JsonPropertyName("lastTransitionTime")] public DateTimeOffset? LastTransitionTime { get; set; }
    [JsonPropertyName("lastHeartbeatTime")] public DateTimeOffset? LastHeartbeatTime { get; set; }
}
