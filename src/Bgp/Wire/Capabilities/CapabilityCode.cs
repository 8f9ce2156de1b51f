namespace Tabby.Bgp.Wire.Capabilities;

/// <summary>Capability codes (IANA "Capability Codes"; RFC 5492 section 4).</summary>
public enum CapabilityCode : byte
{
    Multiprotocol = 1,
    RouteRefresh = 2,
    ExtendedMessage = 6,
    GracefulRestart = 64,
    FourOctetAs = 65,
    AddPath = 69,
    EnhancedRouteRefresh = 70,
    LongLivedGracefulRestart = 71,
    Fqdn = 73,
    /// <summary>Pre-standard route refresh code still sent by some implementations.</summary>
    RouteRefreshCisco = 128,
}

/// <summary>ADD-PATH Send/Receive field (RFC 7911 section 4).</summary>
[Flags]
public enum AddPathMode : byte
{
    None = 0,
    Receive = 1,
    Send = 2,
    Both = 3,
}
