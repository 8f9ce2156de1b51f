using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Kubernetes;

/// <summary>Kubernetes core/v1 <c>Namespace</c>: its labels feed namespaceSelector matching.</summary>
public sealed class KubeNamespace : Resource
{
    [JsonPropertyName("spec")] public JsonElement? Spec { get; set; }
    [JsonPropertyName("status")] public KubeNamespaceStatus? Status { get; set; }
}

public sealed class KubeNamespaceStatus
{
    /// <summary>Active or Terminating.</summary>
    [JsonPropertyName("phase")] public string? Phase { get; set; }
}
