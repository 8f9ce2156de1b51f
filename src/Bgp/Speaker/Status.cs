using Tabby.Bgp.Fsm;

namespace Tabby.Bgp.Speaker;

/// <summary>One peer as status shows it (like a row of <c>birdc show protocols</c>, with details).</summary>
public sealed record PeerStatus
{
    public required string Name { get; init; }

    public required string Address { get; init; }

    public required uint RemoteAs { get; init; }

    public required uint LocalAs { get; init; }

    /// <summary>"ibgp" or "ebgp"; "rr-client" marks route reflector clients.</summary>
    public required string Type { get; init; }

    public required SessionState State { get; init; }

    public required DateTimeOffset Since { get; init; }

    public string? LastReason { get; init; }

    public string? LastError { get; init; }

    public string? RemoteRouterId { get; init; }

    public double? HoldTimeSeconds { get; init; }

    public IReadOnlyList<string> Families { get; init; } = [];

    public long PrefixesReceived { get; init; }

    public long PrefixesAccepted { get; init; }

    public long PrefixesAdvertised { get; init; }

    public long StalePrefixes { get; init; }

    /// <summary>
    /// The peer sent End-of-RIB for every negotiated family since the session came up: its initial
    /// table is complete (RFC 4724 section 2). Null while it has not, when the peer does not
    /// announce graceful restart (it may never send one).
    /// </summary>
    public bool? InitialTableReceived { get; init; }

    public int FlapCount { get; init; }

    public IReadOnlyDictionary<string, long> MessagesIn { get; init; } = new Dictionary<string, long>();

    public IReadOnlyDictionary<string, long> MessagesOut { get; init; } = new Dictionary<string, long>();

    public bool GracefulRestartHelping { get; init; }
}

/// <summary>One path of a prefix in the Loc-RIB.</summary>
public sealed record PathStatus
{
    public required string From { get; init; }

    /// <summary>The peer the path was learned from; null for routes this speaker originated.</summary>
    public string? PeerAddress { get; init; }

    public string? NextHop { get; init; }

    public string AsPath { get; init; } = "";

    public uint? LocalPreference { get; init; }

    public uint? Med { get; init; }

    public string? Origin { get; init; }

    public IReadOnlyList<string> Communities { get; init; } = [];

    public IReadOnlyList<string> LargeCommunities { get; init; } = [];

    /// <summary>ORIGINATOR_ID of a reflected route (RFC 4456).</summary>
    public string? OriginatorId { get; init; }

    /// <summary>CLUSTER_LIST of a reflected route, nearest first (RFC 4456).</summary>
    public IReadOnlyList<string> ClusterList { get; init; } = [];

    /// <summary>The ADD-PATH path identifier the peer gave this path (RFC 7911); 0 without ADD-PATH.</summary>
    public uint PathId { get; init; }

    public bool Best { get; init; }

    public bool Multipath { get; init; }

    public bool Stale { get; init; }

    /// <summary>False when import policy (or a loop check) rejected the path.</summary>
    public bool Accepted { get; init; } = true;
}

/// <summary>A prefix with its best path and why it won.</summary>
public sealed record RouteStatus
{
    public required string Prefix { get; init; }

    public required string Reason { get; init; }

    public required IReadOnlyList<PathStatus> Paths { get; init; }
}

/// <summary>The speaker as a whole.</summary>
public sealed record SpeakerStatus
{
    public required string RouterId { get; init; }

    public required uint LocalAs { get; init; }

    public required int Prefixes { get; init; }

    public required int Paths { get; init; }

    public required int AttributeSets { get; init; }

    public required long RejectedConnections { get; init; }

    public required IReadOnlyList<PeerStatus> Peers { get; init; }
}
