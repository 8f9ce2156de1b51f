using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>A range of addresses IPAM hands out in blocks (Calico <c>IPPool</c>, cluster-scoped).</summary>
public sealed class IPPool : Resource
{
    [JsonPropertyName("spec")] public IPPoolSpec Spec { get; set; } = new();
}

public sealed class IPPoolSpec
{
    [JsonPropertyName("cidr")] public string Cidr { get; set; } = "";
    /// <summary>Prefix length of the blocks; absent means 26 (IPv4) or 122 (IPv6).</summary>
    [JsonPropertyName("blockSize")] public int? BlockSize { get; set; }
    [JsonPropertyName("ipipMode")] public string? IpipMode { get; set; }
    [JsonPropertyName("vxlanMode")] public string? VxlanMode { get; set; }
    [JsonPropertyName("natOutgoing")] public bool? NatOutgoing { get; set; }
    [JsonPropertyName("disabled")] public bool? Disabled { get; set; }
    [JsonPropertyName("disableBGPExport")] public bool? DisableBgpExport { get; set; }
    [JsonPropertyName("nodeSelector")] public string? NodeSelector { get; set; }
    [JsonPropertyName("namespaceSelector")] public string? NamespaceSelector { get; set; }
    [JsonPropertyName("allowedUses")] public List<string>? AllowedUses { get; set; }
    [JsonPropertyName("assignmentMode")] public string? AssignmentMode { get; set; }
    /// <summary>Deprecated Calico v1 form of ipipMode (<c>{"enabled": true, "mode": "always"}</c>).</summary>
    [JsonPropertyName("ipip")] public JsonElement? LegacyIpip { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Values of <see cref="IPPoolSpec.IpipMode"/> and <see cref="IPPoolSpec.VxlanMode"/>.</summary>
public static class EncapsulationModes
{
    public const string Never = "Never";
    public const string Always = "Always";
    public const string CrossSubnet = "CrossSubnet";
    public static readonly IReadOnlyList<string> All = [Never, Always, CrossSubnet];
}

/// <summary>Values of <see cref="IPPoolSpec.AllowedUses"/>.</summary>
public static class IPPoolAllowedUses
{
    public const string Workload = "Workload";
    public const string Tunnel = "Tunnel";
    public const string LoadBalancer = "LoadBalancer";
    public static readonly IReadOnlyList<string> All = [Workload, Tunnel, LoadBalancer];
}
