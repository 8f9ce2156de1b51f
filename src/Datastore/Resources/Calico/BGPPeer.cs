using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>
/// A BGP peering (Calico <c>BGPPeer</c>). No node and no nodeSelector: every node peers (global).
/// </summary>
public sealed class BGPPeer : Resource
{
    [JsonPropertyName("spec")] public BGPPeerSpec Spec { get; set; } = new();
}

public sealed class BGPPeerSpec
{
    [JsonPropertyName("node")] public string? Node { get; set; }
    [JsonPropertyName("nodeSelector")] public string? NodeSelector { get; set; }
    /// <summary>An address, optionally with a port: <c>192.0.2.1:1179</c> or <c>[2001:db8::1]:1179</c>.</summary>
    [JsonPropertyName("peerIP")] public string? PeerIP { get; set; }
    [JsonPropertyName("peerSelector")] public string? PeerSelector { get; set; }
    [JsonPropertyName("asNumber"), JsonConverter(typeof(AsNumberConverter))] public uint? AsNumber { get; set; }
    [JsonPropertyName("localASNumber"), JsonConverter(typeof(AsNumberConverter))] public uint? LocalAsNumber { get; set; }
    [JsonPropertyName("password")] public BgpPassword? Password { get; set; }
    /// <summary>Auto, Self or Keep.</summary>
    [JsonPropertyName("nextHopMode")] public string? NextHopMode { get; set; }
    /// <summary>Old form of nextHopMode Keep.</summary>
    [JsonPropertyName("keepOriginalNextHop")] public bool? KeepOriginalNextHop { get; set; }
    [JsonPropertyName("maxRestartTime")] public string? MaxRestartTime { get; set; }
    [JsonPropertyName("keepaliveTime")] public string? KeepaliveTime { get; set; }
    /// <summary>UseNodeIP or None.</summary>
    [JsonPropertyName("sourceAddress")] public string? SourceAddress { get; set; }
    /// <summary>GTSM (RFC 5082): the number of hops the peer may be away.</summary>
    [JsonPropertyName("ttlSecurity")] public int? TtlSecurity { get; set; }
    [JsonPropertyName("numAllowedLocalASNumbers")] public int? NumAllowedLocalAsNumbers { get; set; }
    [JsonPropertyName("filters")] public List<string>? Filters { get; set; }
    [JsonPropertyName("reachableBy")] public string? ReachableBy { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public static class NextHopModes
{
    public const string Auto = "Auto";
    public const string Self = "Self";
    public const string Keep = "Keep";
    public static readonly IReadOnlyList<string> All = [Auto, Self, Keep];
}
