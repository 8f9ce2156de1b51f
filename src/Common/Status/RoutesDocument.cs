using System.Text.Json.Serialization;

namespace Tabby.Common.Status;

/// <summary>What <c>GET /routes</c> on the status socket returns and <c>tabbyctl node routes</c> prints.</summary>
public sealed record RoutesDocument
{
    [JsonPropertyName("node")] public required string Node { get; init; }
    [JsonPropertyName("routes")] public IReadOnlyList<NodeRoute> Routes { get; init; } = [];
}

/// <summary>
/// One route in CalicoNodeStatus's terms: <c>RIB</c> (a BGP path the speaker holds) or <c>FIB</c>
/// (a route the agent programs into the kernel), where it came from (Kernel, Static, Direct,
/// NodeMesh, BGPPeer, Local), and Tabby's additions: whether it is the best path and why, and
/// whether the kernel holds it as wanted right now.
/// </summary>
public sealed record NodeRoute
{
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("destination")] public required string Destination { get; init; }
    [JsonPropertyName("gateway")] public string? Gateway { get; init; }
    [JsonPropertyName("interface")] public string? Interface { get; init; }
    [JsonPropertyName("sourceType")] public required string SourceType { get; init; }
    [JsonPropertyName("peerIP")] public string? PeerIP { get; init; }
    [JsonPropertyName("best")] public bool? Best { get; init; }
    [JsonPropertyName("reason")] public string? Reason { get; init; }
    [JsonPropertyName("programmed")] public bool? Programmed { get; init; }
}

[JsonSerializable(typeof(RoutesDocument))]
[JsonSourceGenerationOptions(WriteIndented = true)]
public sealed partial class RoutesJsonContext : JsonSerializerContext;
