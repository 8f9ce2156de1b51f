using System.Text.Json;

namespace Tabby.Bgp.Wire.Capabilities;

/// <summary>
/// A capability kept as raw bytes: codes we do not interpret (reported and preserved, never dropped;
/// RFC 5492 section 4) and long-lived graceful restart (RFC 9494), which the codec carries opaquely.
/// </summary>
public sealed class OpaqueCapability(byte code, ReadOnlyMemory<byte> value) : Capability(code)
{
    public ReadOnlyMemory<byte> Value { get; } = value;

    /// <summary>False for codes the codec has no entry for.</summary>
    public bool IsKnown => CapabilityTable.IsKnown(Code);

    public override void WriteValue(ref SpanWriter writer) => writer.Write(Value.Span);

    public override void WriteJsonFields(Utf8JsonWriter json)
    {
        json.WriteBoolean("known", IsKnown);
        json.WriteString("value", Convert.ToHexStringLower(Value.Span));
    }

    public override string ToString() => $"{Name} 0x{Convert.ToHexStringLower(Value.Span)}";
}
