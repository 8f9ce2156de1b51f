using System.Buffers.Binary;
using System.Net;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Wire.Attributes;

/// <summary>MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 sections 3 and 4).</summary>
internal static class MultiprotocolAttributes
{
    /// <summary>
    /// AFI (2), SAFI (1), next hop length (1), next hop, reserved (1), NLRI. IPv4 unicast needs a
    /// 4-byte next hop; IPv6 unicast 16 bytes, or 32 with the link-local address second (RFC 2545
    /// section 3). Other families are kept undecoded. Any inconsistency resets the session
    /// (RFC 7606 section 7.11); RFC 4760 section 7 names it an Optional Attribute Error.
    /// </summary>
    public static AttributeProblem? DecodeReach(ReadOnlyMemory<byte> value, AttributeDecodeState s)
    {
        var v = value.Span;
        if (v.Length < 5) return Problem($"MP_REACH_NLRI length {v.Length} is shorter than the 5-byte minimum");
        var family = new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(v), (Safi)v[2]);
        int nextHopLength = v[3];
        if (4 + nextHopLength + 1 > v.Length)
            return Problem($"MP_REACH_NLRI next hop length {nextHopLength} overruns the attribute ({v.Length - 4} bytes left)");
        var nextHop = v.Slice(4, nextHopLength);
        var nlri = value[(4 + nextHopLength + 1)..];
        if (family == AfiSafi.Ipv4Unicast)
        {
            if (nextHopLength != 4) return Problem($"MP_REACH_NLRI next hop length {nextHopLength} for {family}, must be 4");
            s.Builder.MpNextHop = new IPAddress(nextHop);
        }
        else if (family == AfiSafi.Ipv6Unicast)
        {
            if (nextHopLength is not (16 or 32)) return Problem($"MP_REACH_NLRI next hop length {nextHopLength} for {family}, must be 16 or 32");
            s.Builder.MpNextHop = new IPAddress(nextHop[..16]);
            if (nextHopLength == 32) s.Builder.MpLinkLocalNextHop = new IPAddress(nextHop[16..]);
        }
        else
        {
            s.MpReach = new NlriSection(family, false, nlri, 0);
            return null;
        }

        bool hasPathId = s.Options.HasPathId(family);
        int count = NlriCodec.Validate(nlri.Span, family.Afi, hasPathId, out var problem);
        if (count < 0) return Problem("MP_REACH_NLRI " + problem);
        s.MpReach = new NlriSection(family, hasPathId, nlri, count);
        return null;
    }

    /// <summary>AFI (2), SAFI (1), withdrawn NLRI (RFC 4760 section 4); errors reset the session (RFC 7606 section 7.11).</summary>
    public static AttributeProblem? DecodeUnreach(ReadOnlyMemory<byte> value, AttributeDecodeState s)
    {
        var v = value.Span;
        if (v.Length < 3) return Problem($"MP_UNREACH_NLRI length {v.Length} is shorter than the 3-byte minimum");
        var family = new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(v), (Safi)v[2]);
        var nlri = value[3..];
        if (!family.IsUnicastIp)
        {
            s.MpUnreach = new NlriSection(family, false, nlri, 0);
            return null;
        }

        bool hasPathId = s.Options.HasPathId(family);
        int count = NlriCodec.Validate(nlri.Span, family.Afi, hasPathId, out var problem);
        if (count < 0) return Problem("MP_UNREACH_NLRI " + problem);
        s.MpUnreach = new NlriSection(family, hasPathId, nlri, count);
        return null;
    }

    /// <summary>
    /// Decodes only the NLRI of an MP_REACH_NLRI value (the fast path, where the next hop is already
    /// known from a cached attribute set). False for anything unusual; the caller then decodes fully.
    /// </summary>
    public static bool TryReachNlri(ReadOnlyMemory<byte> value, BgpSessionOptions options, out NlriSection section)
    {
        section = default;
        var v = value.Span;
        var family = new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(v), (Safi)v[2]);
        if (!family.IsUnicastIp) return false;
        var nlri = value[(4 + v[3] + 1)..];
        bool hasPathId = options.HasPathId(family);
        int count = NlriCodec.Validate(nlri.Span, family.Afi, hasPathId, out _);
        if (count < 0) return false;
        section = new NlriSection(family, hasPathId, nlri, count);
        return true;
    }

    /// <summary>Decodes an MP_UNREACH_NLRI value for the fast path; false for anything unusual.</summary>
    public static bool TryUnreachNlri(ReadOnlyMemory<byte> value, BgpSessionOptions options, out NlriSection section)
    {
        section = default;
        var v = value.Span;
        if (v.Length < 3) return false;
        var family = new AfiSafi((Afi)BinaryPrimitives.ReadUInt16BigEndian(v), (Safi)v[2]);
        if (!family.IsUnicastIp) return false;
        bool hasPathId = options.HasPathId(family);
        int count = NlriCodec.Validate(v[3..], family.Afi, hasPathId, out _);
        if (count < 0) return false;
        section = new NlriSection(family, hasPathId, value[3..], count);
        return true;
    }

    private static AttributeProblem Problem(string description) => new(UpdateMessageErrorSubcode.OptionalAttributeError, description);
}
