using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources;

/// <summary>
/// Base of every stored object: apiVersion, kind and metadata as in Kubernetes. Concrete resources
/// add spec/status. Each concrete type is described by a <see cref="ResourceKind"/> (plural, group,
/// scope, etcd key layout) in <see cref="ResourceKinds"/>.
/// </summary>
public abstract class Resource
{
    // apiVersion, kind and metadata come first in documents, as kubectl and calicoctl write them.
    [JsonPropertyName("apiVersion"), JsonPropertyOrder(-3)] public string? ApiVersion { get; set; }
    [JsonPropertyName("kind"), JsonPropertyOrder(-2)] public string? Kind { get; set; }
    [JsonPropertyName("metadata"), JsonPropertyOrder(-1)] public ObjectMeta Metadata { get; set; } = new();

    /// <summary>Top-level fields we do not model, preserved across read-modify-write.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    [JsonIgnore] public string Name => Metadata.Name;
    [JsonIgnore] public string? Namespace => Metadata.Namespace;
    [JsonIgnore] public string? ResourceVersion => Metadata.ResourceVersion;
}

/// <summary>A list result: the items and the revision the list was taken at (watch from there).</summary>
public sealed class ResourceList<T> where T : Resource
{
    public ResourceList(IReadOnlyList<T> items, string revision)
    {
        Items = items;
        Revision = revision;
    }

    public IReadOnlyList<T> Items { get; }

    /// <summary>Revision (resourceVersion) of the list: a watch from it misses no later change.</summary>
    public string Revision { get; }
}
