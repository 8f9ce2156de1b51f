using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>
/// Cluster IPAM settings (Calico <c>IPAMConfig</c> in crd.projectcalico.org/v1, <c>IPAMConfiguration</c>
/// in projectcalico.org/v3); a single object named <c>default</c>; defaults apply when it is absent.
/// </summary>
public sealed class IPAMConfig : Resource
{
    public const string DefaultName = "default";
    [JsonPropertyName("spec")] public IPAMConfigSpec Spec { get; set; } = new();
}

public sealed class IPAMConfigSpec
{
    /// <summary>Default block limit per host when <see cref="MaxBlocksPerHost"/> is 0.</summary>
    public const int DefaultMaxBlocksPerHost = 20;

    [JsonPropertyName("strictAffinity")] public bool StrictAffinity { get; set; }
    [JsonPropertyName("autoAllocateBlocks")] public bool AutoAllocateBlocks { get; set; } = true;
    /// <summary>0 means <see cref="DefaultMaxBlocksPerHost"/>.</summary>
    [JsonPropertyName("maxBlocksPerHost")] public int MaxBlocksPerHost { get; set; }
    [JsonPropertyName("ipCooldownSeconds")] public int? IpCooldownSeconds { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    [JsonIgnore] public int EffectiveMaxBlocksPerHost => MaxBlocksPerHost == 0 ? DefaultMaxBlocksPerHost : MaxBlocksPerHost;
}
