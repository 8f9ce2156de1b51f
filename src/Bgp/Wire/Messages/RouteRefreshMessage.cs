using System.Buffers.Binary;
using Tabby.Bgp.Wire.Errors;

namespace Tabby.Bgp.Wire.Messages;

/// <summary>ROUTE-REFRESH message subtypes (RFC 7313 section 3.2; 0 is the plain request of RFC 2918).</summary>
public enum RouteRefreshSubtype : byte
{
    Request = 0,
    BeginningOfRouteRefresh = 1,
    EndOfRouteRefresh = 2,
}

/// <summary>
/// ROUTE-REFRESH: AFI (2), subtype (1, reserved in RFC 2918), SAFI (1) (RFC 2918 section 3, RFC 7313 section 3.2).
/// A subtype other than 0..2 decodes fine; the receiver must ignore such a message (RFC 7313 section 5).
/// </summary>
public sealed class RouteRefreshMessage(AfiSafi family, RouteRefreshSubtype subtype = RouteRefreshSubtype.Request) : BgpMessage
{
    public override MessageType Type => MessageType.RouteRefresh;

    public AfiSafi Family { get; } = family;

    public RouteRefreshSubtype Subtype { get; } = subtype;

    /// <summary>False for subtypes 3..255, which RFC 7313 section 5 says to ignore.</summary>
    public bool IsKnownSubtype => Subtype <= RouteRefreshSubtype.EndOfRouteRefresh;

    internal override void WriteBody(ref SpanWriter writer, BgpSessionOptions options)
    {
        writer.WriteUInt16((ushort)Family.Afi);
        writer.WriteByte((byte)Subtype);
        writer.WriteByte((byte)Family.Safi);
    }

    /// <summary>A body other than 4 bytes is Invalid Message Length with the whole message as data (RFC 7313 section 5).</summary>
    public static RouteRefreshMessage Decode(ReadOnlySpan<byte> body)
    {
        if (body.Length != 4)
        {
            var message = new byte[BgpConstants.HeaderLength + body.Length];
            message.AsSpan(0, BgpConstants.MarkerLength).Fill(0xFF);
            BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(16), (ushort)message.Length);
            message[18] = (byte)MessageType.RouteRefresh;
            body.CopyTo(message.AsSpan(BgpConstants.HeaderLength));
            throw new BgpProtocolException(new BgpError((byte)BgpErrorCode.RouteRefreshMessageError, (byte)RouteRefreshErrorSubcode.InvalidMessageLength,
                message, ErrorHandling.SessionReset, $"ROUTE-REFRESH body is {body.Length} bytes, must be 4"));
        }

        return new RouteRefreshMessage(new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(body), (Safi)body[3]), (RouteRefreshSubtype)body[2]);
    }

    public override string ToString() => $"ROUTE-REFRESH {Family} {Subtype}";
}
