using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Kubernetes;

/// <summary>Kubernetes core/v1 <c>Secret</c>: BGP passwords are read from it (secretKeyRef).</summary>
public sealed class Secret : Resource
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    /// <summary>Values are base64 in JSON; decoded bytes here.</summary>
    [JsonPropertyName("data")] public Dictionary<string, byte[]>? Data { get; set; }
    /// <summary>Write-only convenience in Kubernetes; merged into data by the API server.</summary>
    [JsonPropertyName("stringData")] public Dictionary<string, string>? StringData { get; set; }
    [JsonPropertyName("immutable")] public bool? Immutable { get; set; }

    /// <summary>The value of <paramref name="key"/> as text, from data or stringData.</summary>
    public string? GetString(string key)
    {
        if (Data is not null && Data.TryGetValue(key, out var bytes))
        {
            return System.Text.Encoding.UTF8.GetString(bytes);
        }

        return StringData is not null && StringData.TryGetValue(key, out var s) ? s : null;
    }
}
