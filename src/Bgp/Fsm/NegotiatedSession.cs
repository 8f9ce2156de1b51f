using System.Net;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Capabilities;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Fsm;

/// <summary>What the two OPEN messages agreed on (RFC 4271 section 4.2, RFC 5492).</summary>
public sealed record NegotiatedSession
{
    public required OpenMessage LocalOpen { get; init; }

    public required OpenMessage RemoteOpen { get; init; }

    /// <summary>Encodings for what the peer sends us.</summary>
    public required BgpSessionOptions Receive { get; init; }

    /// <summary>Encodings for what we send.</summary>
    public required BgpSessionOptions Send { get; init; }

    /// <summary>min(ours, theirs); zero disables keepalives and the hold timer (RFC 4271 section 4.4).</summary>
    public required TimeSpan HoldTime { get; init; }

    public required TimeSpan KeepaliveTime { get; init; }

    /// <summary>Families both sides announced (IPv4 unicast when neither sent multiprotocol, RFC 4760 section 8).</summary>
    public required IReadOnlyList<AfiSafi> Families { get; init; }

    public uint RemoteAs => RemoteOpen.AsNumber;

    public IPAddress RemoteRouterId => RemoteOpen.BgpIdentifierAddress;

    public bool RouteRefresh => LocalOpen.HasCapability(CapabilityCode.RouteRefresh)
        && (RemoteOpen.HasCapability(CapabilityCode.RouteRefresh) || RemoteOpen.HasCapability(CapabilityCode.RouteRefreshCisco));

    public bool EnhancedRouteRefresh => LocalOpen.HasCapability(CapabilityCode.EnhancedRouteRefresh) && RemoteOpen.HasCapability(CapabilityCode.EnhancedRouteRefresh);

    /// <summary>The peer's graceful restart capability, when both sides announced one (RFC 4724 section 3).</summary>
    public GracefulRestartCapability? PeerGracefulRestart =>
        LocalOpen.HasCapability(CapabilityCode.GracefulRestart) ? RemoteOpen.Capabilities.OfType<GracefulRestartCapability>().FirstOrDefault() : null;

    public bool Supports(AfiSafi family) => Families.Contains(family);
}
