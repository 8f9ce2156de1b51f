using System.Buffers;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Wire;

/// <summary>Writes whole messages (header and body) into an <see cref="IBufferWriter{T}"/> (RFC 4271 section 4.1).</summary>
public static class BgpMessageWriter
{
    /// <summary>Writes <paramref name="message"/>; returns its length. OPEN and KEEPALIVE never exceed 4096 bytes (RFC 8654 section 4).</summary>
    public static int Write(IBufferWriter<byte> output, BgpMessage message, BgpSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);
        int max = message.Type is MessageType.Open or MessageType.Keepalive ? BgpConstants.MaxMessageLength : options.MaxMessageLength;
        var w = new SpanWriter(output.GetSpan(max)[..max]);
        w.Take(BgpConstants.MarkerLength).Fill(0xFF);
        int lengthAt = w.Reserve(2);
        w.WriteByte((byte)message.Type);
        message.WriteBody(ref w, options);
        w.PatchUInt16(lengthAt, (ushort)w.Position);
        output.Advance(w.Position);
        return w.Position;
    }

    /// <summary>Convenience for tests and tools: the message as a new array.</summary>
    public static byte[] ToBytes(BgpMessage message, BgpSessionOptions? options = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, message, options ?? BgpSessionOptions.Default);
        return buffer.WrittenSpan.ToArray();
    }
}
