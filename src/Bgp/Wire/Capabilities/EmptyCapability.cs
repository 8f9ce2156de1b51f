using System.Text.Json;

namespace Tabby.Bgp.Wire.Capabilities;

/// <summary>
/// A capability whose presence is all it says: route refresh (RFC 2918 section 2, also the
/// pre-standard code 128), enhanced route refresh (RFC 7313 section 3), extended message (RFC 8654 section 3).
/// </summary>
public sealed class EmptyCapability(CapabilityCode code) : Capability((byte)code)
{
    public static readonly EmptyCapability RouteRefresh = new(CapabilityCode.RouteRefresh);
    public static readonly EmptyCapability EnhancedRouteRefresh = new(CapabilityCode.EnhancedRouteRefresh);
    public static readonly EmptyCapability ExtendedMessage = new(CapabilityCode.ExtendedMessage);

    public override void WriteValue(ref SpanWriter writer) { }

    public override void WriteJsonFields(Utf8JsonWriter json) { }

    public override string ToString() => Name;

    /// <summary>These capabilities have an empty value; anything else is malformed.</summary>
    internal static Func<ReadOnlySpan<byte>, Capability?> DecoderFor(CapabilityCode code) =>
        value => value.IsEmpty ? code switch
        {
            CapabilityCode.RouteRefresh => RouteRefresh,
            CapabilityCode.EnhancedRouteRefresh => EnhancedRouteRefresh,
            CapabilityCode.ExtendedMessage => ExtendedMessage,
            _ => new EmptyCapability(code),
        } : null;
}
