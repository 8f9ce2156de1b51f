using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tabby.Datastore.Resources.Calico;

/// <summary>Per-node agent/BGP/route status the agent reports (Calico <c>CalicoNodeStatus</c>).</summary>
public sealed class CalicoNodeStatus : Resource
{
    [JsonPropertyName("spec")] public CalicoNodeStatusSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public CalicoNodeStatusStatus? Status { get; set; }
}

public sealed class CalicoNodeStatusSpec
{
    [JsonPropertyName("node")] public string Node { get; set; } = "";
    /// <summary>Agent, BGP, Routes.</summary>
    [JsonPropertyName("classes")] public List<string>? Classes { get; set; }
    [JsonPropertyName("updatePeriodSeconds")] public int? UpdatePeriodSeconds { get; set; }
}

public sealed class CalicoNodeStatusStatus
{
    [JsonPropertyName("lastUpdated")] public DateTimeOffset? LastUpdated { get; set; }
    [JsonPropertyName("agent")] public NodeAgentStatus? Agent { get; set; }
    [JsonPropertyName("bgp")] public NodeBgpStatus? Bgp { get; set; }
    [JsonPropertyName("routes")] public NodeRoutesStatus? Routes { get; set; }
}

public sealed class NodeAgentStatus
{
    [JsonPropertyName("birdV4")] public BgpDaemonStatus? BirdV4 { get; set; }
    [JsonPropertyName("birdV6")] public BgpDaemonStatus? BirdV6 { get; set; }
}

public sealed class BgpDaemonStatus
{
    /// <summary>Ready or NotReady.</summary>
    [JsonPropertyName("state")] public string? State { get; set; }
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("routerID")] public string? RouterId { get; set; }
    [JsonPropertyName("lastBootTime")] public string? LastBootTime { get; set; }
    [JsonPropertyName("lastReconfigurationTime")] public string? LastReconfigurationTime { get; set; }
}

public sealed class NodeBgpStatus
{
    [JsonPropertyName("numberEstablishedV4")] public int NumberEstablishedV4 { get; set; }
    [JsonPropertyName("numberEstablishedV6")] public int NumberEstablishedV6 { get; set; }
    [JsonPropertyName("numberNotEstablishedV4")] public int NumberNotEstablishedV4 { get; set; }
    [JsonPropertyName("numberNotEstablishedV6")] public int NumberNotEstablishedV6 { get; set; }
    [JsonPropertyName("peersV4")] public List<BgpPeerStatus>? PeersV4 { get; set; }
    [JsonPropertyName("peersV6")] public List<BgpPeerStatus>? PeersV6 { get; set; }
}

public sealed class BgpPeerStatus
{
    [JsonPropertyName("peerIP")] public string PeerIP { get; set; } = "";
    /// <summary>NodeMesh, NodePeer, GlobalPeer.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    /// <summary>BGP FSM state: Idle, Connect, Active, OpenSent, OpenConfirm, Established, Close.</summary>
    [JsonPropertyName("state")] public string State { get; set; } = "";
    [JsonPropertyName("since")] public string? Since { get; set; }
    /// <summary>Tabby addition: why the session is not Established (Calico shows it only in the CLI).</summary>
    [JsonPropertyName("reason")] public string? Reason { get; set; }
}

public sealed class NodeRoutesStatus
{
    [JsonPropertyName("routesV4")] public List<RouteStatus>? RoutesV4 { get; set; }
    [JsonPropertyName("routesV6")] public List<RouteStatus>? RoutesV6 { get; set; }
}

public sealed class RouteStatus
{
    /// <summary>FIB or RIB.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("destination")] public string Destination { get; set; } = "";
    [JsonPropertyName("gateway")] public string? Gateway { get; set; }
    [JsonPropertyName("interface")] public string? Interface { get; set; }
    [JsonPropertyName("learnedFrom")] public RouteLearnedFrom? LearnedFrom { get; set; }
}

public sealed class RouteLearnedFrom
{
    /// <summary>Kernel, Static, Direct, NodeMesh, BGPPeer.</summary>
    [JsonPropertyName("sourceType")] public string SourceType { get; set; } = "";
    [JsonPropertyName("peerIP")] public string? PeerIP { get; set; }
}
