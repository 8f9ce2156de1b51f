using System.Text.Json.Serialization;

namespace Tabby.Common.Status;

/// <summary>What the local status endpoint returns and <c>tabbyctl node status</c> prints.</summary>
public sealed record StatusDocument
{
    [JsonPropertyName("node")] public required string Node { get; init; }
    [JsonPropertyName("running")] public bool Running { get; init; } = true;
    [JsonPropertyName("asNumber")] public uint? AsNumber { get; init; }
    [JsonPropertyName("routerId")] public string? RouterId { get; init; }
    [JsonPropertyName("peers")] public IReadOnlyList<StatusPeer> Peers { get; init; } = [];
    [JsonPropertyName("routes")] public IReadOnlyList<StatusRoute> Routes { get; init; } = [];
}

public sealed record StatusPeer(
    [property: JsonPropertyName("peerAddress")] string PeerAddress,
    [property: JsonPropertyName("peerType")] string PeerType,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("info")] string Info,
    [property: JsonPropertyName("prefixesReceived")] long PrefixesReceived,
    [property: JsonPropertyName("prefixesAdvertised")] long PrefixesAdvertised);

/// <summary>A route the node knows: in the RIB (from a peer) and whether it is programmed (FIB).</summary>
public sealed record StatusRoute(
    [property: JsonPropertyName("destination")] string Destination,
    [property: JsonPropertyName("gateways")] IReadOnlyList<string> Gateways,
    [property: JsonPropertyName("source")] string Source);

[JsonSerializable(typeof(StatusDocument))]
[JsonSourceGenerationOptions(WriteIndented = true)]
public sealed partial class StatusJsonContext : JsonSerializerContext;
