using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Tabby.Bgp.Wire.Errors;

namespace Tabby.Bgp.Wire;

/// <summary>
/// Cuts whole messages out of a byte stream (RFC 4271 section 4.1). Peek-then-advance: the
/// buffer moves past a message only when it is complete, and a false return or an exception
/// leaves it unchanged. The header (marker, length, type) is checked as soon as its 19 bytes
/// are there, before waiting for the body, so a bogus length never makes us buffer 64 KiB.
/// </summary>
public static class BgpFrameReader
{
    /// <summary>
    /// Reads one message from the start of <paramref name="buffer"/>. Returns false when more bytes
    /// are needed. Throws <see cref="BgpProtocolException"/> for a Message Header Error (RFC 4271 section 6.1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, BgpSessionOptions options, out BgpFrame frame)
    {
        ArgumentNullException.ThrowIfNull(options);
        frame = default;
        if (buffer.Length < BgpConstants.HeaderLength) return false;

        Span<byte> header = stackalloc byte[BgpConstants.HeaderLength];
        buffer.Slice(0, BgpConstants.HeaderLength).CopyTo(header);
        CheckHeader(header, options);

        int length = BinaryPrimitives.ReadUInt16BigEndian(header[BgpConstants.MarkerLength..]);
        if (buffer.Length < length) return false;

        frame = new BgpFrame((MessageType)header[18], length, buffer.Slice(BgpConstants.HeaderLength, length - BgpConstants.HeaderLength));
        buffer = buffer.Slice(length);
        return true;
    }

    /// <summary>Validates a 19-byte header; throws the Message Header Error it violates.</summary>
    public static void CheckHeader(ReadOnlySpan<byte> header, BgpSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // RFC 4271 section 6.1: the marker must be all ones (Connection Not Synchronized, no data).
        if (header[..BgpConstants.MarkerLength].ContainsAnyExcept((byte)0xFF))
            throw new BgpProtocolException(BgpError.Header(MessageHeaderErrorSubcode.ConnectionNotSynchronized, default, "marker is not all ones"));

        int length = BinaryPrimitives.ReadUInt16BigEndian(header[BgpConstants.MarkerLength..]);
        byte type = header[18];

        // RFC 4271 section 6.1: bad length (data: the length field), checked before the type.
        // OPEN and KEEPALIVE stay within 4096 bytes even with Extended Message (RFC 8654 section 4).
        int max = type is (byte)MessageType.Open or (byte)MessageType.Keepalive ? BgpConstants.MaxMessageLength : options.MaxMessageLength;
        if (length < BgpConstants.HeaderLength || length > max)
            throw new BgpProtocolException(BgpError.BadMessageLength(length, $"length {length} is outside {BgpConstants.HeaderLength}..{max}"));

        int min = type switch
        {
            (byte)MessageType.Open => BgpConstants.MinOpenLength,
            (byte)MessageType.Update => BgpConstants.MinUpdateLength,
            (byte)MessageType.Notification => BgpConstants.MinNotificationLength,
            (byte)MessageType.Keepalive => BgpConstants.KeepaliveLength,
            // RFC 7313 section 5 gives ROUTE-REFRESH its own length error, raised when decoding.
            (byte)MessageType.RouteRefresh => BgpConstants.HeaderLength,
            _ => throw new BgpProtocolException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageType, [type], $"message type {type} is not defined")),
        };
        if (length < min || (type == (byte)MessageType.Keepalive && length != BgpConstants.KeepaliveLength))
            throw new BgpProtocolException(BgpError.BadMessageLength(length, $"length {length} is invalid for {(MessageType)type} (minimum {min})"));
    }
}
