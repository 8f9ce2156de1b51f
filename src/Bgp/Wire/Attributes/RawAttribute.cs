namespace Tabby.Bgp.Wire.Attributes;

/// <summary>
/// An optional transitive attribute the codec does not interpret, kept byte for byte so it can be
/// passed on (RFC 4271 section 5: with the Partial bit set, which decoding already applies).
/// </summary>
public sealed class RawAttribute : IEquatable<RawAttribute>
{
    public RawAttribute(AttributeFlags flags, byte typeCode, ReadOnlyMemory<byte> value)
    {
        // The encoder picks Extended Length; the four low-order bits are unused and must be sent
        // as zero (RFC 4271 section 4.3).
        Flags = flags & (AttributeFlags.Optional | AttributeFlags.Transitive | AttributeFlags.Partial);
        TypeCode = typeCode;
        Value = value;
    }

    public AttributeFlags Flags { get; }

    public byte TypeCode { get; }

    public ReadOnlyMemory<byte> Value { get; }

    public bool Equals(RawAttribute? other) =>
        other is not null && Flags == other.Flags && TypeCode == other.TypeCode && Value.Span.SequenceEqual(other.Value.Span);

    public override bool Equals(object? obj) => Equals(obj as RawAttribute);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Flags);
        hash.Add(TypeCode);
        hash.AddBytes(Value.Span);
        return hash.ToHashCode();
    }

    public override string ToString() => $"type {TypeCode} flags 0x{(byte)Flags:x2} value {Convert.ToHexStringLower(Value.Span)}";
}
