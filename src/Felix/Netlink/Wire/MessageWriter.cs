using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Tabby.Felix.Netlink.Wire;

/// <summary>
/// Builds one or more netlink messages back to back in a pooled buffer: a header, the fixed
/// family header, then attributes (TLVs, 4-byte aligned, nested ones patched when closed). Many
/// messages in one writer go to the kernel in one sendmsg (batching).
/// </summary>
public sealed class MessageWriter : IDisposable
{
    /// <summary>NLMSG_ALIGNTO / NLA_ALIGNTO.</summary>
    public const int Alignment = 4;
    private const int AttributeHeaderSize = 4;

    private readonly bool _pooled;
    private byte[] _buffer;
    private int _length;
    private int _messageStart = -1;

    public MessageWriter(int initialCapacity = 4096)
        : this(initialCapacity, pooled: true)
    {
    }

    /// <summary>
    /// With <paramref name="pooled"/> false the buffer is a plain array the GC takes back after
    /// <see cref="Dispose"/>: for one-off writers of many megabytes (a whole nftables table), which
    /// the shared pool would otherwise keep for the life of the process.
    /// </summary>
    public MessageWriter(int initialCapacity, bool pooled)
    {
        // Headers are host byte order and written as little-endian: Tabby supports x86-64 and arm64 Linux.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("netlink messages are encoded for little-endian hosts");
        }

        _pooled = pooled;
        _buffer = Rent(Math.Max(initialCapacity, 64));
    }

    /// <summary>Bytes written so far (all complete messages plus the open one).</summary>
    public int Length => _length;

    /// <summary>Number of messages completed since the last <see cref="Clear"/>.</summary>
    public int MessageCount { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public static int Align(int length) => (length + Alignment - 1) & ~(Alignment - 1);

    public void Clear()
    {
        _length = 0;
        _messageStart = -1;
        MessageCount = 0;
    }

    /// <summary>Starts a message; the length is filled in by <see cref="EndMessage"/>.</summary>
    public void BeginMessage(ushort type, ushort flags, uint sequence, uint portId = 0)
    {
        if (_messageStart >= 0)
        {
            throw new InvalidOperationException("the previous message was not ended");
        }

        _messageStart = _length;
        Write(new NlMsgHdr { Type = type, Flags = flags, Sequence = sequence, PortId = portId });
    }

    /// <summary>Writes the fixed family header (ifinfomsg, rtmsg, ...) right after the nlmsghdr.</summary>
    public void Write<T>(in T header) where T : unmanaged
    {
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        var span = Reserve(size);
        MemoryMarshal.Write(span, in header);
    }

    public void EndMessage()
    {
        if (_messageStart < 0)
        {
            throw new InvalidOperationException("no message is open");
        }

        _length = _messageStart + Align(_length - _messageStart);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_messageStart), (uint)(_length - _messageStart));

        _messageStart = -1;
        MessageCount++;
    }

    /// <summary>Adds <paramref name="flags"/> to the header of the complete message starting at <paramref name="messageOffset"/>.</summary>
    public void AddFlags(int messageOffset, ushort flags)
    {
        if (messageOffset < 0 || messageOffset + NlMsgHdr.Size > _length)
        {
            throw new ArgumentOutOfRangeException(nameof(messageOffset), $"no message header at offset {messageOffset}");
        }

        var span = _buffer.AsSpan(messageOffset + 6, 2);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span) | flags));
    }

    /// <summary>Drops the open message (e.g. when an encoder rejected its input).</summary>
    public void AbandonMessage()
    {
        if (_messageStart >= 0)
        {
            _length = _messageStart;
            _messageStart = -1;
        }
    }

    /// <summary>Writes an attribute header and returns the zeroed, aligned space for its value.</summary>
    public Span<byte> Attribute(ushort type, int valueLength)
    {
        var total = AttributeHeaderSize + valueLength;
        var span = Reserve(Align(total));
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)total);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        return span.Slice(AttributeHeaderSize, valueLength);
    }

    public void Attribute(ushort type, ReadOnlySpan<byte> value) => value.CopyTo(Attribute(type, value.Length));

    public void AttributeU8(ushort type, byte value) => Attribute(type, 1)[0] = value;

    public void AttributeU16(ushort type, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Attribute(type, 2), value);

    /// <summary>A u16 in network byte order (e.g. IFLA_VXLAN_PORT).</summary>
    public void AttributeU16BigEndian(ushort type, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Attribute(type, 2), value);

    public void AttributeU32(ushort type, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Attribute(type, 4), value);

    public void AttributeI32(ushort type, int value) => BinaryPrimitives.WriteInt32LittleEndian(Attribute(type, 4), value);

    /// <summary>A NUL-terminated string (IFNAME, INFO_KIND, LABEL).</summary>
    public void AttributeString(ushort type, string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        var span = Attribute(type, byteCount + 1);
        Encoding.UTF8.GetBytes(value, span);
    }

    /// <summary>An IPv4 (4 bytes) or IPv6 (16 bytes) address in network order.</summary>
    public void AttributeAddress(ushort type, IPAddress address)
    {
        var span = Attribute(type, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 4 : 16);
        if (!address.TryWriteBytes(span, out _))
        {
            throw new ArgumentException($"address {address} does not fit attribute {type}", nameof(address));
        }
    }

    /// <summary>Opens a nested attribute; returns its offset for <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        var start = _length;
        var span = Reserve(AttributeHeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], (ushort)(type | AttributeFlags.Nested));
        return start;
    }

    /// <summary>Opens a nested block without the NLA_F_NESTED bit (IFLA_LINKINFO/IFLA_INFO_DATA, RTA_MULTIPATH use plain types).</summary>
    public int BeginContainer(ushort type)
    {
        var start = _length;
        var span = Reserve(AttributeHeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        return start;
    }

    public void EndNested(int start) => PatchLength16(start);

    /// <summary>Reserves an rtnexthop inside RTA_MULTIPATH; <see cref="EndNextHop"/> fills its length.</summary>
    public int BeginNextHop(byte flags, byte hops, int interfaceIndex)
    {
        var start = _length;
        Write(new RtNextHop { Flags = flags, Hops = hops, InterfaceIndex = interfaceIndex });
        return start;
    }

    public void EndNextHop(int start) => PatchLength16(start);

    /// <summary>Reserves <paramref name="size"/> bytes rounded up to the alignment, zeroed.</summary>
    public Span<byte> Reserve(int size)
    {
        var aligned = Align(size);
        EnsureCapacity(aligned);
        var span = _buffer.AsSpan(_length, aligned);
        span.Clear();
        _length += aligned;
        return span[..size];
    }

    private void PatchLength16(int start)
    {
        var length = _length - start;
        if (length > ushort.MaxValue)
        {
            throw new InvalidOperationException($"nested attribute of {length} bytes exceeds the 16-bit netlink length");
        }

        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(start), (ushort)length);
    }

    private void EnsureCapacity(int extra)
    {
        if (_length + extra <= _buffer.Length)
        {
            return;
        }

        var bigger = Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        Return(_buffer);
        _buffer = bigger;
    }

    private byte[] Rent(int size) => _pooled ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private void Return(byte[] buffer)
    {
        if (_pooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            Return(buffer);
        }
    }
}
