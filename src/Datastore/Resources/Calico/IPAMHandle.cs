using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>Which blocks hold addresses of one handle (Calico <c>IPAMHandle</c>), for release by handle.</summary>
public sealed class IPAMHandle : Resource
{
    [JsonPropertyName("spec")] public IPAMHandleSpec Spec { get; set; } = new();
}

public sealed class IPAMHandleSpec
{
    [JsonPropertyName("handleID")] public string HandleId { get; set; } = "";
    /// <summary>Block CIDR to the number of addresses of this handle in it.</summary>
    [JsonPropertyName("block")] public Dictionary<string, int> Block { get; set; } = [];
    [JsonPropertyName("deleted")] public bool Deleted { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}
