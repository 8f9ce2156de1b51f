using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Kubernetes;

/// <summary>Kubernetes core/v1 <c>Pod</c> (the fields the agent reads).</summary>
public sealed class Pod : Resource
{
    [JsonPropertyName("spec")] public PodSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public PodStatus? Status { get; set; }
}

public sealed class PodSpec
{
    [JsonPropertyName("nodeName")] public string? NodeName { get; set; }
    [JsonPropertyName("hostNetwork")] public bool? HostNetwork { get; set; }
    [JsonPropertyName("serviceAccountName")] public string? ServiceAccountName { get; set; }
    [JsonPropertyName("containers")] public List<Container>? Containers { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class Container
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("image")] public string? Image { get; set; }
    [JsonPropertyName("ports")] public List<ContainerPortSpec>? Ports { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class ContainerPortSpec
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("containerPort")] public int ContainerPort { get; set; }
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
}

public sealed class PodStatus
{
    [JsonPropertyName("phase")] public string? Phase { get; set; }
    [JsonPropertyName("podIP")] public string? PodIP { get; set; }
    [JsonPropertyName("podIPs")] public List<PodIPEntry>? PodIPs { get; set; }
    [JsonPropertyName("hostIP")] public string? HostIP { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class PodIPEntry
{
    [JsonPropertyName("ip")] public string Ip { get; set; } = "";
}
