using System.Buffers.Binary;

namespace Tabby.Bgp.Wire;

/// <summary>
/// Forward-only big-endian writer over a span; running past the end throws
/// <see cref="MessageTooLargeException"/> (the message would exceed the negotiated maximum).
/// </summary>
public ref struct SpanWriter
{
    private readonly Span<byte> _buffer;

    public SpanWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly int Remaining => _buffer.Length - Position;

    public readonly Span<byte> Written => _buffer[..Position];

    public void WriteByte(byte value) => Take(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Take(8), value);

    public void Write(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Take(bytes.Length));

    /// <summary>Reserves <paramref name="count"/> bytes to fill later (a length field); returns their offset.</summary>
    public int Reserve(int count)
    {
        Take(count);
        return Position - count;
    }

    public readonly void PatchUInt16(int offset, ushort value) => BinaryPrimitives.WriteUInt16BigEndian(_buffer[offset..], value);

    public readonly void PatchByte(int offset, byte value) => _buffer[offset] = value;

    /// <summary>Removes the byte at <paramref name="offset"/>, moving everything written after it back by one.</summary>
    public void DeleteByte(int offset)
    {
        _buffer[(offset + 1)..Position].CopyTo(_buffer[offset..]);
        Position--;
    }

    /// <summary>Claims the next <paramref name="count"/> bytes for the caller to fill.</summary>
    public Span<byte> Take(int count)
    {
        if (count > Remaining)
            throw new MessageTooLargeException($"message needs more than the {_buffer.Length} bytes available");
        var span = _buffer.Slice(Position, count);
        Position += count;
        return span;
    }
}

/// <summary>An encoder was asked to write a message larger than the session allows (a caller bug, not bad input).</summary>
public sealed class MessageTooLargeException : InvalidOperationException
{
    public MessageTooLargeException(string message) : base(message) { }
}
