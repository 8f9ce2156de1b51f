using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Wire.Messages;

/// <summary>Writers for the pieces of an UPDATE shared by re-encoding and <see cref="UpdateBuilder"/>.</summary>
internal static class UpdateEncoding
{
    /// <summary>Bytes of MP_REACH_NLRI before its NLRI: header (4, extended length), AFI, SAFI, next hop length, next hop, reserved.</summary>
    public static int MpReachOverhead(AfiSafi family, PathAttributes attributes) => 4 + 3 + 1 + NextHopLength(family, attributes) + 1;

    /// <summary>Bytes of MP_UNREACH_NLRI before its NLRI: header (4), AFI, SAFI.</summary>
    public const int MpUnreachOverhead = 4 + 3;

    public static int NextHopLength(AfiSafi family, PathAttributes attributes)
    {
        if (family == AfiSafi.Ipv4Unicast) return 4;
        return attributes.MpLinkLocalNextHop is null ? 16 : 32;
    }

    /// <summary>MP_REACH_NLRI with the set's next hop (RFC 4760 section 3; link-local second, RFC 2545 section 3).</summary>
    public static void WriteMpReach(ref SpanWriter writer, AfiSafi family, PathAttributes attributes, NlriSection entries, BgpSessionOptions options)
    {
        int at = BeginMpReach(ref writer, family, attributes);
        bool hasPathId = options.HasPathId(family);
        foreach (var entry in entries)
            NlriCodec.Write(writer.Take(NlriCodec.EncodedLength(entry, hasPathId)), entry, hasPathId);
        AttributeTable.End(ref writer, at);
    }

    public static int BeginMpReach(ref SpanWriter writer, AfiSafi family, PathAttributes attributes)
    {
        var nextHop = family == AfiSafi.Ipv4Unicast ? attributes.MpNextHop ?? attributes.NextHop : attributes.MpNextHop;
        if (nextHop is null) throw new ArgumentException($"attribute set has no next hop for {family}", nameof(attributes));
        int at = AttributeTable.Begin(ref writer, AttributeFlags.Optional, AttributeTypeCode.MpReachNlri);
        writer.WriteUInt16((ushort)family.Afi);
        writer.WriteByte((byte)family.Safi);
        int length = NextHopLength(family, attributes);
        writer.WriteByte((byte)length);
        nextHop.TryWriteBytes(writer.Take(family == AfiSafi.Ipv4Unicast ? 4 : 16), out _);
        if (length == 32) attributes.MpLinkLocalNextHop!.TryWriteBytes(writer.Take(16), out _);
        writer.WriteByte(0); // reserved (RFC 4760 section 3)
        return at;
    }

    /// <summary>MP_UNREACH_NLRI (RFC 4760 section 4).</summary>
    public static void WriteMpUnreach(ref SpanWriter writer, AfiSafi family, NlriSection entries, BgpSessionOptions options)
    {
        int at = BeginMpUnreach(ref writer, family);
        bool hasPathId = options.HasPathId(family);
        foreach (var entry in entries)
            NlriCodec.Write(writer.Take(NlriCodec.EncodedLength(entry, hasPathId)), entry, hasPathId);
        AttributeTable.End(ref writer, at);
    }

    public static int BeginMpUnreach(ref SpanWriter writer, AfiSafi family)
    {
        int at = AttributeTable.Begin(ref writer, AttributeFlags.Optional, AttributeTypeCode.MpUnreachNlri);
        writer.WriteUInt16((ushort)family.Afi);
        writer.WriteByte((byte)family.Safi);
        return at;
    }
}
