using System.Net;
using Tabby.Bgp.Policy;

namespace Tabby.Bgp.Speaker;

/// <summary>
/// One BGP neighbour: everything Calico's BGPPeer (and its BIRD template) can set, plus the
/// timers and limits of the issue. Policies can change without restarting the session.
/// </summary>
public sealed record PeerConfig
{
    public required IPAddress Address { get; init; }

    public int Port { get; init; } = 179;

    public required uint RemoteAs { get; init; }

    /// <summary>Our AS towards this peer when it differs from the speaker's (Calico localASNumber).</summary>
    public uint? LocalAs { get; init; }

    /// <summary>Readable name for status and logs (default: the address).</summary>
    public string? Name { get; init; }

    /// <summary>TCP MD5 password (RFC 2385).</summary>
    public string? Password { get; init; }

    /// <summary>GTSM hops (RFC 5082); 0 = off (Calico ttlSecurity).</summary>
    public int TtlSecurityHops { get; init; }

    /// <summary>TTL of our packets without GTSM; null = 1 for eBGP (directly connected) and 64 for iBGP, like BIRD.</summary>
    public int? Multihop { get; init; }

    public NextHopMode NextHopMode { get; init; } = NextHopMode.Auto;

    /// <summary>Next hop for IPv4 routes when the session is not IPv4 (or to override the session address).</summary>
    public IPAddress? NextHopIpv4 { get; init; }

    /// <summary>Next hop for IPv6 routes when the session is not IPv6 (or to override the session address).</summary>
    public IPAddress? NextHopIpv6 { get; init; }

    public TimeSpan HoldTime { get; init; } = TimeSpan.FromSeconds(90);

    public TimeSpan? KeepaliveTime { get; init; }

    /// <summary>Calico sets BIRD's connect retry to 5 s.</summary>
    public TimeSpan ConnectRetryTime { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan? DelayOpenTime { get; init; }

    public TimeSpan IdleHoldTime { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxIdleHoldTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Announce graceful restart to this peer and help it restart (RFC 4724).</summary>
    public bool GracefulRestart { get; init; } = true;

    /// <summary>Longest we keep a restarting peer's routes as stale (Calico maxRestartTime, default 120 s).</summary>
    public TimeSpan MaxRestartTime { get; init; } = TimeSpan.FromSeconds(120);

    public bool Passive { get; init; }

    /// <summary>The peer is our route-reflector client (RFC 4456); needs a cluster id on the speaker.</summary>
    public bool RouteReflectorClient { get; init; }

    public int? MaxPrefixes { get; init; }

    public MaxPrefixAction MaxPrefixAction { get; init; } = MaxPrefixAction.Teardown;

    /// <summary>Idle time after a max-prefix tear-down.</summary>
    public TimeSpan MaxPrefixRestartTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Connect from this address.</summary>
    public IPAddress? SourceAddress { get; init; }

    /// <summary>How many times our AS may appear in a received AS path (allowas-in); 0 = none.</summary>
    public int AllowOwnAs { get; init; }

    /// <summary>Receive ADD-PATH from this peer (RFC 7911).</summary>
    public bool AddPathReceive { get; init; }

    /// <summary>Offer ADD-PATH send to this peer (RFC 7911).</summary>
    public bool AddPathSend { get; init; }

    /// <summary>
    /// With ADD-PATH send negotiated: how many paths per prefix to advertise, best first in
    /// decision order (the best N); 0 advertises every path that passes the export rules.
    /// </summary>
    public int AddPathSendMaxPaths { get; init; }

    public RoutePolicy ImportPolicy { get; init; } = RoutePolicy.AcceptAll;

    public RoutePolicy ExportPolicy { get; init; } = RoutePolicy.AcceptAll;

    public string DisplayName => Name ?? Address.ToString();

    /// <summary>True when the two configurations differ only in policies (no session restart needed).</summary>
    public bool DiffersOnlyInPolicies(PeerConfig other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return this with { ImportPolicy = other.ImportPolicy, ExportPolicy = other.ExportPolicy, MaxPrefixes = other.MaxPrefixes, MaxPrefixAction = other.MaxPrefixAction } == other;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the field when a value is invalid.</summary>
    public void Validate()
    {
        if (Port is < 1 or > 65535) throw new ArgumentException($"peer {DisplayName}: port {Port} is outside 1..65535");
        if (RemoteAs == 0) throw new ArgumentException($"peer {DisplayName}: remoteAS must not be 0");
        if (LocalAs == 0) throw new ArgumentException($"peer {DisplayName}: localAS must not be 0");
        if (TtlSecurityHops is < 0 or > 254) throw new ArgumentException($"peer {DisplayName}: ttlSecurity {TtlSecurityHops} is outside 0..254");
        if (Multihop is < 1 or > 255) throw new ArgumentException($"peer {DisplayName}: multihop {Multihop} is outside 1..255");
        if (HoldTime != TimeSpan.Zero && HoldTime < TimeSpan.FromSeconds(3)) throw new ArgumentException($"peer {DisplayName}: holdTime {HoldTime.TotalSeconds} s must be 0 or at least 3 s");
        if (KeepaliveTime is { } k && HoldTime > TimeSpan.Zero && k > HoldTime) throw new ArgumentException($"peer {DisplayName}: keepaliveTime must not exceed holdTime");
        if (MaxPrefixes is < 1) throw new ArgumentException($"peer {DisplayName}: maxPrefixes must be positive");
        if (MaxRestartTime > TimeSpan.FromSeconds(4095)) throw new ArgumentException($"peer {DisplayName}: maxRestartTime exceeds 4095 s (RFC 4724 12-bit field)");
        if (Password is { Length: > 80 }) throw new ArgumentException($"peer {DisplayName}: password longer than 80 bytes");
        if (AllowOwnAs is < 0 or > 10) throw new ArgumentException($"peer {DisplayName}: allowOwnAS must be 0..10");
        if (AddPathSendMaxPaths is < 0 or > 255) throw new ArgumentException($"peer {DisplayName}: addPathSendPaths must be all or 1..255");
    }
}
