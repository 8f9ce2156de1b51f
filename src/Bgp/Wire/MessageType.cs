namespace Tabby.Bgp.Wire;

/// <summary>BGP message type codes (RFC 4271 section 4.1, RFC 2918 section 3).</summary>
public enum MessageType : byte
{
    Open = 1,
    Update = 2,
    Notification = 3,
    Keepalive = 4,
    RouteRefresh = 5,
}
