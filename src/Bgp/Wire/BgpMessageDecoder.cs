using System.Buffers;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Wire;

/// <summary>
/// Turns a frame into a typed message. Bad input surfaces only as <see cref="BgpProtocolException"/>
/// (reset the session with its NOTIFICATION) or as errors on an <see cref="UpdateMessage"/>.
/// </summary>
public static class BgpMessageDecoder
{
    /// <summary>Decodes a frame; the body is copied once so the message does not depend on the pipe's buffers.</summary>
    public static BgpMessage Decode(in BgpFrame frame, BgpSessionOptions options, AttributeSetInterner? interner = null) =>
        Decode(frame.Type, frame.Body.ToArray(), options, interner);

    /// <summary>Decodes a body of the given type; <paramref name="body"/> must outlive an UPDATE's use.</summary>
    public static BgpMessage Decode(MessageType type, ReadOnlyMemory<byte> body, BgpSessionOptions options, AttributeSetInterner? interner = null) => type switch
    {
        MessageType.Open => OpenMessage.Decode(body.Span),
        MessageType.Update => UpdateDecoder.Decode(body, options, interner),
        MessageType.Notification => NotificationMessage.Decode(body.Span),
        MessageType.Keepalive => body.IsEmpty ? KeepaliveMessage.Instance
            : throw new BgpProtocolException(BgpError.BadMessageLength(BgpConstants.HeaderLength + body.Length, "KEEPALIVE must be exactly 19 bytes")),
        MessageType.RouteRefresh => RouteRefreshMessage.Decode(body.Span),
        _ => throw new BgpProtocolException(BgpError.Header(MessageHeaderErrorSubcode.BadMessageType, [(byte)type], $"message type {(byte)type} is not defined")),
    };

    /// <summary>Decodes one whole message (header included) from a span, e.g. a line of a capture file.</summary>
    public static BgpMessage DecodeMessage(ReadOnlyMemory<byte> message, BgpSessionOptions options, AttributeSetInterner? interner = null)
    {
        if (message.Length < BgpConstants.HeaderLength)
            throw new BgpProtocolException(BgpError.BadMessageLength(message.Length, $"message of {message.Length} bytes is shorter than the 19-byte header"));
        var span = message.Span;
        BgpFrameReader.CheckHeader(span[..BgpConstants.HeaderLength], options);
        int length = span[16] << 8 | span[17];
        if (length != message.Length)
            throw new BgpProtocolException(BgpError.BadMessageLength(length, $"length field {length} does not match the {message.Length} bytes given"));
        return Decode((MessageType)span[18], message[BgpConstants.HeaderLength..], options, interner);
    }
}
