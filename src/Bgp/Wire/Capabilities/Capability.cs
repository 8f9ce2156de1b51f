using System.Text.Json;

namespace Tabby.Bgp.Wire.Capabilities;

/// <summary>
/// One capability from an OPEN message's Capabilities optional parameter (RFC 5492 section 4).
/// Each subclass has a matching decoder in <see cref="CapabilityTable"/>.
/// </summary>
public abstract class Capability
{
    protected Capability(byte code) => Code = code;

    public byte Code { get; }

    /// <summary>Name from the IANA registry, or "unknown-N".</summary>
    public string Name => CapabilityTable.NameOf(Code);

    /// <summary>Writes the capability value (without code and length).</summary>
    public abstract void WriteValue(ref SpanWriter writer);

    /// <summary>Writes the value's fields as JSON properties (the caller wrote "code" and "name").</summary>
    public abstract void WriteJsonFields(Utf8JsonWriter json);

    /// <summary>The whole TLV (code, length, value), e.g. for the data of Unsupported Capability.</summary>
    public byte[] ToBytes()
    {
        Span<byte> buffer = stackalloc byte[2 + 255];
        var writer = new SpanWriter(buffer);
        writer.WriteByte(Code);
        int lengthAt = writer.Reserve(1);
        WriteValue(ref writer);
        writer.PatchByte(lengthAt, (byte)(writer.Position - 2));
        return writer.Written.ToArray();
    }
}
