using System.Text;
using Tabby.Bgp.Wire.Errors;

namespace Tabby.Bgp.Wire.Messages;

/// <summary>NOTIFICATION: error code (1), subcode (1), data (RFC 4271 section 4.5).</summary>
public sealed class NotificationMessage : BgpMessage
{
    /// <summary>Longest shutdown communication, in UTF-8 bytes (RFC 9003 section 2).</summary>
    public const int MaxShutdownCommunicationLength = 255;

    public NotificationMessage(byte code, byte subcode, ReadOnlyMemory<byte> data)
    {
        Code = code;
        Subcode = subcode;
        Data = data;
    }

    public override MessageType Type => MessageType.Notification;

    public byte Code { get; }

    public byte Subcode { get; }

    public ReadOnlyMemory<byte> Data { get; }

    public string CodeName => BgpErrorNames.CodeName(Code);

    public string SubcodeName => BgpErrorNames.SubcodeName(Code, Subcode);

    /// <summary>
    /// The shutdown communication of a Cease / Administrative Shutdown or Administrative Reset
    /// (RFC 9003 section 2): a length byte and that many bytes of UTF-8. Null when absent, or when
    /// the length overruns the data or the text is not valid UTF-8 (RFC 9003 section 3 says such
    /// a message is still a valid NOTIFICATION).
    /// </summary>
    public string? ShutdownCommunication
    {
        get
        {
            if (Code != (byte)BgpErrorCode.Cease
                || (Subcode != (byte)CeaseSubcode.AdministrativeShutdown && Subcode != (byte)CeaseSubcode.AdministrativeReset)
                || Data.Length == 0)
                return null;
            var data = Data.Span;
            int length = data[0];
            if (length == 0 || 1 + length > data.Length) return null;
            try
            {
                return new UTF8Encoding(false, true).GetString(data.Slice(1, length));
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }
    }

    /// <summary>A Cease NOTIFICATION, with a shutdown communication for subcodes 2 and 4 (RFC 4486, RFC 9003).</summary>
    public static NotificationMessage Cease(CeaseSubcode subcode, string? shutdownCommunication = null)
    {
        if (string.IsNullOrEmpty(shutdownCommunication)
            || (subcode != CeaseSubcode.AdministrativeShutdown && subcode != CeaseSubcode.AdministrativeReset))
            return new NotificationMessage((byte)BgpErrorCode.Cease, (byte)subcode, ReadOnlyMemory<byte>.Empty);
        var text = TruncateUtf8(shutdownCommunication, MaxShutdownCommunicationLength);
        var data = new byte[1 + text.Length];
        data[0] = (byte)text.Length;
        text.CopyTo(data, 1);
        return new NotificationMessage((byte)BgpErrorCode.Cease, (byte)subcode, data);
    }

    /// <summary>
    /// Cease / Maximum Number of Prefixes Reached; data is AFI (2), SAFI (1) and the configured
    /// upper bound (4) (RFC 4486 section 4).
    /// </summary>
    public static NotificationMessage MaximumPrefixesReached(AfiSafi family, uint limit)
    {
        var data = new byte[7];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)family.Afi);
        data[2] = (byte)family.Safi;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(3), limit);
        return new NotificationMessage((byte)BgpErrorCode.Cease, (byte)CeaseSubcode.MaximumNumberOfPrefixesReached, data);
    }

    /// <summary>Cuts at a character boundary so the bytes stay valid UTF-8.</summary>
    private static byte[] TruncateUtf8(string text, int maxBytes)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length <= maxBytes) return bytes;
        int cut = maxBytes;
        while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) cut--;
        return bytes[..cut];
    }

    internal override void WriteBody(ref SpanWriter writer, BgpSessionOptions options)
    {
        writer.WriteByte(Code);
        writer.WriteByte(Subcode);
        writer.Write(Data.Span);
    }

    /// <summary>Decodes a body of at least 2 bytes (the frame reader enforces the minimum length, RFC 4271 section 6.1).</summary>
    public static NotificationMessage Decode(ReadOnlySpan<byte> body)
    {
        if (body.Length < 2)
            throw new BgpProtocolException(BgpError.BadMessageLength(BgpConstants.HeaderLength + body.Length, "NOTIFICATION shorter than 21 bytes"));
        return new NotificationMessage(body[0], body[1], body[2..].ToArray());
    }

    public override string ToString() =>
        $"NOTIFICATION {CodeName} / {SubcodeName}" + (ShutdownCommunication is { } s ? $" \"{s}\"" : Data.IsEmpty ? "" : $" data {Convert.ToHexStringLower(Data.Span)}");
}
