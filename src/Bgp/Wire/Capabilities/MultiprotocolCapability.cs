using System.Text.Json;

namespace Tabby.Bgp.Wire.Capabilities;

/// <summary>Multiprotocol Extensions: the sender can exchange routes of one AFI/SAFI (RFC 4760 section 8).</summary>
public sealed class MultiprotocolCapability(AfiSafi family) : Capability((byte)CapabilityCode.Multiprotocol)
{
    public AfiSafi Family { get; } = family;

    public override void WriteValue(ref SpanWriter writer)
    {
        writer.WriteUInt16((ushort)Family.Afi);
        writer.WriteByte(0); // reserved
        writer.WriteByte((byte)Family.Safi);
    }

    public override void WriteJsonFields(Utf8JsonWriter json) => json.WriteString("family", Family.ToString());

    public override string ToString() => $"multiprotocol {Family}";

    /// <summary>Value is AFI (2), reserved (1), SAFI (1) (RFC 4760 section 8).</summary>
    internal static Capability? Decode(ReadOnlySpan<byte> value) =>
        value.Length == 4 ? new MultiprotocolCapability(new AfiSafi((Afi)(value[0] << 8 | value[1]), (Safi)value[3])) : null;
}
