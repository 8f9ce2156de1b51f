using System.Buffers.Binary;
using System.Text.Json;

namespace Tabby.Bgp.Wire.Capabilities;

/// <summary>Support for 4-octet AS numbers, carrying the sender's real AS (RFC 6793 section 3).</summary>
public sealed class FourOctetAsCapability(uint asNumber) : Capability((byte)CapabilityCode.FourOctetAs)
{
    public uint AsNumber { get; } = asNumber;

    public override void WriteValue(ref SpanWriter writer) => writer.WriteUInt32(AsNumber);

    public override void WriteJsonFields(Utf8JsonWriter json) => json.WriteNumber("as", AsNumber);

    public override string ToString() => $"4-octet-as {AsNumber}";

    internal static Capability? Decode(ReadOnlySpan<byte> value) =>
        value.Length == 4 ? new FourOctetAsCapability(BinaryPrimitives.ReadUInt32BigEndian(value)) : null;
}
