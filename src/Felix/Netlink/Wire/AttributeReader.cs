using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Tabby.Felix.Netlink.Wire;

/// <summary>One attribute: its type (flag bits removed) and its value (sliced, not copied).</summary>
public readonly ref struct NetlinkAttribute
{
    public NetlinkAttribute(ushort rawType, ReadOnlySpan<byte> value)
    {
        RawType = rawType;
        Value = value;
    }

    public ushort RawType { get; }

    public ushort Type => (ushort)(RawType & AttributeFlags.TypeMask);

    public ReadOnlySpan<byte> Value { get; }

    public byte U8 => Value[0];

    public ushort U16 => BinaryPrimitives.ReadUInt16LittleEndian(Value);

    public ushort U16BigEndian => BinaryPrimitives.ReadUInt16BigEndian(Value);

    public uint U32 => BinaryPrimitives.ReadUInt32LittleEndian(Value);

    public int I32 => BinaryPrimitives.ReadInt32LittleEndian(Value);

    /// <summary>A NUL-terminated (or unterminated) string.</summary>
    public string String
    {
        get
        {
            var end = Value.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? Value : Value[..end]);
        }
    }

    public IPAddress Address => new(Value);

    public AttributeReader Nested => new(Value);
}

/// <summary>Walks a run of attributes (TLVs); a malformed length ends the walk with an error.</summary>
public ref struct AttributeReader
{
    private ReadOnlySpan<byte> _remaining;

    public AttributeReader(ReadOnlySpan<byte> attributes)
    {
        _remaining = attributes;
        Current = default;
    }

    public NetlinkAttribute Current { get; private set; }

    public readonly AttributeReader GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining.Length < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(_remaining);
        var type = BinaryPrimitives.ReadUInt16LittleEndian(_remaining[2..]);
        if (length < 4 || length > _remaining.Length)
        {
            throw new NetlinkProtocolException($"attribute {type & AttributeFlags.TypeMask} length {length} is outside 4..{_remaining.Length}");
        }

        Current = new NetlinkAttribute(type, _remaining[4..length]);
        _remaining = _remaining[Math.Min(MessageWriter.Align(length), _remaining.Length)..];
        return true;
    }
}
