using System.Buffers.Binary;
using System.Text.Json;

namespace Tabby.Bgp.Wire.Capabilities;

/// <summary>One address family in the ADD-PATH capability (RFC 7911 section 4).</summary>
public readonly record struct AddPathFamily(AfiSafi Family, AddPathMode Mode);

/// <summary>ADD-PATH: which families the sender can send and/or receive multiple paths for (RFC 7911 section 4).</summary>
public sealed class AddPathCapability(IReadOnlyList<AddPathFamily> families) : Capability((byte)CapabilityCode.AddPath)
{
    public IReadOnlyList<AddPathFamily> Families { get; } = families;

    public AddPathMode ModeFor(AfiSafi family)
    {
        foreach (var f in Families)
            if (f.Family == family) return f.Mode;
        return AddPathMode.None;
    }

    public override void WriteValue(ref SpanWriter writer)
    {
        foreach (var f in Families)
        {
            writer.WriteUInt16((ushort)f.Family.Afi);
            writer.WriteByte((byte)f.Family.Safi);
            writer.WriteByte((byte)f.Mode);
        }
    }

    public override void WriteJsonFields(Utf8JsonWriter json)
    {
        json.WriteStartArray("families");
        foreach (var f in Families)
        {
            json.WriteStartObject();
            json.WriteString("family", f.Family.ToString());
            json.WriteString("mode", ModeName(f.Mode));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    public override string ToString() => $"add-path [{string.Join(", ", Families.Select(f => $"{f.Family} {ModeName(f.Mode)}"))}]";

    private static string ModeName(AddPathMode mode) => mode switch
    {
        AddPathMode.Receive => "receive",
        AddPathMode.Send => "send",
        AddPathMode.Both => "send/receive",
        _ => $"mode-{(byte)mode}",
    };

    /// <summary>(AFI 2, SAFI 1, Send/Receive 1) per family; Send/Receive must be 1..3 (RFC 7911 section 4).</summary>
    internal static Capability? Decode(ReadOnlySpan<byte> value)
    {
        if (value.Length == 0 || value.Length % 4 != 0) return null;
        var families = new AddPathFamily[value.Length / 4];
        for (int i = 0; i < families.Length; i++)
        {
            var item = value.Slice(4 * i, 4);
            if (item[3] is 0 or > 3) return null;
            families[i] = new AddPathFamily(new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(item), (Safi)item[2]), (AddPathMode)item[3]);
        }

        return new AddPathCapability(families);
    }
}
