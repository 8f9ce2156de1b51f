using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources;

/// <summary>
/// Kubernetes object metadata (the subset every backend keeps). <see cref="ResourceVersion"/> is the
/// compare-and-swap token: every backend sets it on read and checks it on update.
/// </summary>
public sealed class ObjectMeta
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("generateName")] public string? GenerateName { get; set; }
    [JsonPropertyName("namespace")] public string? Namespace { get; set; }
    [JsonPropertyName("uid")] public string? Uid { get; set; }
    [JsonPropertyName("resourceVersion")] public string? ResourceVersion { get; set; }
    [JsonPropertyName("generation")] public long? Generation { get; set; }
    [JsonPropertyName("creationTimestamp")] public DateTimeOffset? CreationTimestamp { get; set; }
    [JsonPropertyName("deletionTimestamp")] public DateTimeOffset? DeletionTimestamp { get; set; }
    [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
    [JsonPropertyName("finalizers")] public List<string>? Finalizers { get; set; }
    [JsonPropertyName("ownerReferences")] public List<OwnerReference>? OwnerReferences { get; set; }

    /// <summary>Fields we do not model (managedFields ...), kept so a read-modify-write does not drop them.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class OwnerReference
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = "";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("uid")] public string Uid { get; set; } = "";
    [JsonPropertyName("controller")] public bool? Controller { get; set; }
    [JsonPropertyName("blockOwnerDeletion")] public bool? BlockOwnerDeletion { get; set; }
}
