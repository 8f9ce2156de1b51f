using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>A password taken from a Kubernetes Secret in the agent's namespace (<c>secretKeyRef</c>).</summary>
public sealed class BgpPassword
{
    [JsonPropertyName("secretKeyRef")] public SecretKeySelector? SecretKeyRef { get; set; }
}

public sealed class SecretKeySelector
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    [JsonPropertyName("optional")] public bool? Optional { get; set; }
}
