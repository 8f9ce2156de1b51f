using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Kubernetes;

/// <summary>Kubernetes core/v1 <c>Service</c>: addresses the agent may advertise over BGP.</summary>
public sealed class Service : Resource
{
    [JsonPropertyName("spec")] public ServiceSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public ServiceStatus? Status { get; set; }
}

public sealed class ServiceSpec
{
    /// <summary>ClusterIP, NodePort, LoadBalancer, ExternalName.</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("clusterIP")] public string? ClusterIP { get; set; }
    [JsonPropertyName("clusterIPs")] public List<string>? ClusterIPs { get; set; }
    [JsonPropertyName("externalIPs")] public List<string>? ExternalIPs { get; set; }
    [JsonPropertyName("loadBalancerIP")] public string? LoadBalancerIP { get; set; }
    /// <summary>Cluster or Local (Local: advertise /32 only from nodes with endpoints).</summary>
    [JsonPropertyName("externalTrafficPolicy")] public string? ExternalTrafficPolicy { get; set; }
    [JsonPropertyName("internalTrafficPolicy")] public string? InternalTrafficPolicy { get; set; }
    [JsonPropertyName("selector")] public Dictionary<string, string>? Selector { get; set; }
    [JsonPropertyName("ports")] public List<ServicePort>? Ports { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class ServicePort
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("targetPort")] public IntOrString? TargetPort { get; set; }
    [JsonPropertyName("nodePort")] public int? NodePort { get; set; }
}

public sealed class ServiceStatus
{
    [JsonPropertyName("loadBalancer")] public LoadBalancerStatus? LoadBalancer { get; set; }
}

public sealed class LoadBalancerStatus
{
    [JsonPropertyName("ingress")] public List<LoadBalancerIngress>? Ingress { get; set; }
}

public sealed class LoadBalancerIngress
{
    [JsonPropertyName("ip")] public string? Ip { get; set; }
    [JsonPropertyName("hostname")] public string? Hostname { get; set; }
}
