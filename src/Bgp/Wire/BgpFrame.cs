using System.Buffers;

namespace Tabby.Bgp.Wire;

/// <summary>One whole message as framed on the wire: its type, total length and body (sliced, not copied).</summary>
public readonly struct BgpFrame(MessageType type, int length, ReadOnlySequence<byte> body)
{
    public MessageType Type { get; } = type;

    /// <summary>Total length including the 19-byte header.</summary>
    public int Length { get; } = length;

    public ReadOnlySequence<byte> Body { get; } = body;
}
