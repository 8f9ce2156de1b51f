using System.Net;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Capabilities;

namespace Tabby.Bgp.Fsm;

/// <summary>
/// What one session's FSM needs to know: identities, timers (RFC 4271 section 10 names them) and
/// the capabilities we announce. Built from a peer's configuration by the speaker.
/// </summary>
public sealed record SessionSettings
{
    public required uint LocalAs { get; init; }

    public required IPAddress RouterId { get; init; }

    /// <summary>The AS the peer must announce; a different one is Bad Peer AS (RFC 4271 section 6.2).</summary>
    public required uint RemoteAs { get; init; }

    /// <summary>Hold time we propose; 0 disables keepalives and the hold timer, otherwise at least 3 s (RFC 4271 section 4.2).</summary>
    public TimeSpan HoldTime { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Keepalive interval; null means a third of the negotiated hold time (RFC 4271 section 10).</summary>
    public TimeSpan? KeepaliveTime { get; init; }

    public TimeSpan ConnectRetryTime { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Hold timer while waiting for the peer's OPEN (RFC 4271 section 8.2.2 suggests 4 minutes).</summary>
    public TimeSpan OpenHoldTime { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>When set, wait this long for the peer's OPEN before sending ours (DelayOpen, RFC 4271 section 8.1.1).</summary>
    public TimeSpan? DelayOpenTime { get; init; }

    /// <summary>Never initiate the TCP connection; wait for the peer (RFC 4271 section 8.1.1, PassiveTcpEstablishment).</summary>
    public bool Passive { get; init; }

    /// <summary>First wait in Idle after an error before restarting; doubled per consecutive error.</summary>
    public TimeSpan IdleHoldTime { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxIdleHoldTime { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>A session that stayed Established this long resets the idle hold back-off.</summary>
    public TimeSpan StableTime { get; init; } = TimeSpan.FromSeconds(60);

    public IReadOnlyList<AfiSafi> Families { get; init; } = [AfiSafi.Ipv4Unicast, AfiSafi.Ipv6Unicast];

    public bool RouteRefresh { get; init; } = true;

    public bool EnhancedRouteRefresh { get; init; } = true;

    public bool ExtendedMessage { get; init; } = true;

    /// <summary>ADD-PATH modes per family we announce (RFC 7911); empty means none.</summary>
    public IReadOnlyList<AddPathFamily> AddPath { get; init; } = [];

    /// <summary>Graceful restart capability to announce (RFC 4724); null means none.</summary>
    public GracefulRestartCapability? GracefulRestart { get; init; }

    /// <summary>Capabilities the peer must announce, else Unsupported Capability (RFC 5492 section 5).</summary>
    public IReadOnlyList<CapabilityCode> RequiredCapabilities { get; init; } = [];

    /// <summary>Throws <see cref="ArgumentException"/> naming the field when a value is out of range.</summary>
    public void Validate()
    {
        if (HoldTime != TimeSpan.Zero && HoldTime < TimeSpan.FromSeconds(3))
            throw new ArgumentException($"HoldTime {HoldTime.TotalSeconds} s must be 0 or at least 3 s (RFC 4271 section 4.2)");
        if (HoldTime > TimeSpan.FromSeconds(ushort.MaxValue)) throw new ArgumentException($"HoldTime {HoldTime.TotalSeconds} s exceeds 65535 s");
        if (KeepaliveTime is { } k && k < TimeSpan.Zero) throw new ArgumentException("KeepaliveTime must not be negative");
        if (ConnectRetryTime <= TimeSpan.Zero) throw new ArgumentException("ConnectRetryTime must be positive");
        if (IdleHoldTime < TimeSpan.Zero || MaxIdleHoldTime < IdleHoldTime) throw new ArgumentException("IdleHoldTime must be between 0 and MaxIdleHoldTime");
        if (RouterId.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || RouterId.Equals(IPAddress.Any))
            throw new ArgumentException($"RouterId {RouterId} must be a non-zero IPv4 address (RFC 6286)");
        if (LocalAs == 0 || RemoteAs == 0) throw new ArgumentException("AS numbers must not be 0 (RFC 7607)");
    }
}
