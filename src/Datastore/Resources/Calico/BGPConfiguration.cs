using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>
/// BGP settings (Calico <c>BGPConfiguration</c>): <c>default</c> for the cluster, <c>node.&lt;name&gt;</c>
/// for per-node overrides.
/// </summary>
public sealed class BGPConfiguration : Resource
{
    public const string DefaultName = "default";
    public const string NodePrefix = "node.";
    [JsonPropertyName("spec")] public BGPConfigurationSpec Spec { get; set; } = new();
}

public sealed class BGPConfigurationSpec
{
    public const uint DefaultAsNumber = 64512;
    public const int DefaultListenPort = 179;

    [JsonPropertyName("asNumber"), JsonConverter(typeof(AsNumberConverter))] public uint? AsNumber { get; set; }
    [JsonPropertyName("nodeToNodeMeshEnabled")] public bool? NodeToNodeMeshEnabled { get; set; }
    [JsonPropertyName("listenPort")] public int? ListenPort { get; set; }
    /// <summary>None or NodeIP.</summary>
    [JsonPropertyName("bindMode")] public string? BindMode { get; set; }
    [JsonPropertyName("logSeverityScreen")] public string? LogSeverityScreen { get; set; }
    [JsonPropertyName("serviceClusterIPs")] public List<ServiceCidrBlock>? ServiceClusterIPs { get; set; }
    [JsonPropertyName("serviceExternalIPs")] public List<ServiceCidrBlock>? ServiceExternalIPs { get; set; }
    [JsonPropertyName("serviceLoadBalancerIPs")] public List<ServiceCidrBlock>? ServiceLoadBalancerIPs { get; set; }
    [JsonPropertyName("communities")] public List<Community>? Communities { get; set; }
    [JsonPropertyName("prefixAdvertisements")] public List<PrefixAdvertisement>? PrefixAdvertisements { get; set; }
    [JsonPropertyName("nodeMeshPassword")] public BgpPassword? NodeMeshPassword { get; set; }
    /// <summary>Duration like <c>120s</c>.</summary>
    [JsonPropertyName("nodeMeshMaxRestartTime")] public string? NodeMeshMaxRestartTime { get; set; }
    [JsonPropertyName("ignoredInterfaces")] public List<string>? IgnoredInterfaces { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class ServiceCidrBlock
{
    [JsonPropertyName("cidr")] public string Cidr { get; set; } = "";
}

/// <summary>A named community: <c>aa:nn</c> (RFC 1997) or <c>aa:nn:mm</c> (large, RFC 8092).</summary>
public sealed class Community
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("value")] public string Value { get; set; } = "";
}

public sealed class PrefixAdvertisement
{
    [JsonPropertyName("cidr")] public string Cidr { get; set; } = "";
    /// <summary>Community names (from <see cref="BGPConfigurationSpec.Communities"/>) or literal values.</summary>
    [JsonPropertyName("communities")] public List<string>? Communities { get; set; }
}
