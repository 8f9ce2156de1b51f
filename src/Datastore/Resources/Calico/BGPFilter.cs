using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>Import/export route filters referenced by BGPPeer.filters (Calico <c>BGPFilter</c>).</summary>
public sealed class BGPFilter : Resource
{
    [JsonPropertyName("spec")] public BGPFilterSpec Spec { get; set; } = new();
}

public sealed class BGPFilterSpec
{
    [JsonPropertyName("exportV4")] public List<BGPFilterRule>? ExportV4 { get; set; }
    [JsonPropertyName("importV4")] public List<BGPFilterRule>? ImportV4 { get; set; }
    [JsonPropertyName("exportV6")] public List<BGPFilterRule>? ExportV6 { get; set; }
    [JsonPropertyName("importV6")] public List<BGPFilterRule>? ImportV6 { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class BGPFilterRule
{
    /// <summary>Accept or Reject.</summary>
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("cidr")] public string? Cidr { get; set; }
    /// <summary>Equal, NotEqual, In, NotIn.</summary>
    [JsonPropertyName("matchOperator")] public string? MatchOperator { get; set; }
    [JsonPropertyName("prefixLength")] public BGPFilterPrefixLength? PrefixLength { get; set; }
    /// <summary>RemotePeers.</summary>
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("interface")] public string? Interface { get; set; }
    /// <summary>eBGP or iBGP.</summary>
    [JsonPropertyName("peerType")] public string? PeerType { get; set; }
    [JsonPropertyName("asPathPrefix")] public List<uint>? AsPathPrefix { get; set; }
    [JsonPropertyName("communities")] public BGPFilterCommunities? Communities { get; set; }
    [JsonPropertyName("priority")] public int? Priority { get; set; }
    [JsonPropertyName("operations")] public List<BGPFilterOperation>? Operations { get; set; }
}

public sealed class BGPFilterPrefixLength
{
    [JsonPropertyName("min")] public int? Min { get; set; }
    [JsonPropertyName("max")] public int? Max { get; set; }
}

public sealed class BGPFilterCommunities
{
    [JsonPropertyName("values")] public List<string>? Values { get; set; }
}

/// <summary>Exactly one of the fields is set.</summary>
public sealed class BGPFilterOperation
{
    [JsonPropertyName("addCommunity")] public BGPFilterCommunityValue? AddCommunity { get; set; }
    [JsonPropertyName("prependASPath")] public BGPFilterPrependAsPath? PrependAsPath { get; set; }
    [JsonPropertyName("setPriority")] public BGPFilterPriorityValue? SetPriority { get; set; }
}

public sealed class BGPFilterCommunityValue
{
    [JsonPropertyName("value")] public string Value { get; set; } = "";
}

public sealed class BGPFilterPrependAsPath
{
    [JsonPropertyName("prefix")] public List<uint> Prefix { get; set; } = [];
}

public sealed class BGPFilterPriorityValue
{
    [JsonPropertyName("value")] public int Value { get; set; }
}
