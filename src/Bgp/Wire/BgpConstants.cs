namespace Tabby.Bgp.Wire;

/// <summary>Fixed sizes of the BGP-4 message format (RFC 4271 section 4.1, RFC 8654).</summary>
public static class BgpConstants
{
    /// <summary>The all-ones marker that starts every message (RFC 4271 section 4.1).</summary>
    public const int MarkerLength = 16;

    /// <summary>Marker, 2-byte length and 1-byte type.</summary>
    public const int HeaderLength = 19;

    /// <summary>Largest message without the Extended Message capability (RFC 4271 section 4.1).</summary>
    public const int MaxMessageLength = 4096;

    /// <summary>Largest message once Extended Message is negotiated (RFC 8654 section 4).</summary>
    public const int MaxExtendedMessageLength = 65535;

    /// <summary>The only BGP version we speak (RFC 4271 section 4.2).</summary>
    public const byte Version = 4;

    /// <summary>AS_TRANS, the 2-octet stand-in for a 4-octet AS number (RFC 6793 section 9).</summary>
    public const ushort AsTrans = 23456;

    /// <summary>Minimum total lengths per message type (RFC 4271 section 4; RFC 2918 section 3).</summary>
    public const int MinOpenLength = 29;
    public const int MinUpdateLength = 23;
    public const int MinNotificationLength = 21;
    public const int KeepaliveLength = 19;
    public const int RouteRefreshLength = 23;
}
