using System.Runtime.InteropServices;

namespace Tabby.Felix.Netlink.Wire;

/// <summary>One received netlink message: its header and its payload (sliced, not copied).</summary>
public readonly ref struct NetlinkMessage
{
    public NetlinkMessage(NlMsgHdr header, ReadOnlySpan<byte> payload)
    {
        Header = header;
        Payload = payload;
    }

    public NlMsgHdr Header { get; }

    public ReadOnlySpan<byte> Payload { get; }

    public ushort Type => Header.Type;

    public ushort Flags => Header.Flags;

    public uint Sequence => Header.Sequence;

    /// <summary>Reads the fixed family header at the start of the payload; throws if it is short.</summary>
    public T ReadHeader<T>() where T : unmanaged
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (Payload.Length < size)
        {
            throw new NetlinkProtocolException($"{MessageType.Name(Type)}: payload of {Payload.Length} bytes is shorter than its {typeof(T).Name} ({size} bytes)");
        }

        return MemoryMarshal.Read<T>(Payload);
    }

    /// <summary>The attributes that follow a fixed header of <paramref name="headerSize"/> bytes.</summary>
    public AttributeReader Attributes(int headerSize) =>
        new(Payload.Length >= headerSize ? Payload[MessageWriter.Align(headerSize)..] : throw new NetlinkProtocolException(
            $"{MessageType.Name(Type)}: payload of {Payload.Length} bytes is shorter than its {headerSize}-byte header"));
}

/// <summary>
/// Walks the messages packed in one received datagram. Each length is checked against what is
/// left before the message is handed out, so a lying length never reads past the buffer.
/// </summary>
public ref struct MessageReader
{
    private ReadOnlySpan<byte> _remaining;

    public MessageReader(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
        Current = default;
    }

    public NetlinkMessage Current { get; private set; }

    public readonly MessageReader GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining.Length < NlMsgHdr.Size)
        {
            if (_remaining.Length != 0)
            {
                throw new NetlinkProtocolException($"{_remaining.Length} trailing bytes do not hold a netlink header");
            }

            return false;
        }

        var header = MemoryMarshal.Read<NlMsgHdr>(_remaining);
        if (header.Length < NlMsgHdr.Size || header.Length > _remaining.Length)
        {
            throw new NetlinkProtocolException($"netlink message length {header.Length} is outside 16..{_remaining.Length}");
        }

        Current = new NetlinkMessage(header, _remaining[NlMsgHdr.Size..(int)header.Length]);
        var next = Math.Min(MessageWriter.Align((int)header.Length), _remaining.Length);
        _remaining = _remaining[next..];
        return true;
    }
}
