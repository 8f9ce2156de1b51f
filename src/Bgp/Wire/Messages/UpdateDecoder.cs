using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Wire.Messages;

/// <summary>
/// Decodes UPDATE bodies (RFC 4271 section 4.3) with the revised error handling of RFC 7606:
/// structural errors that hide the NLRI throw <see cref="BgpProtocolException"/> (session reset);
/// attribute errors become treat-as-withdraw or attribute discard on the returned message.
/// </summary>
public static class UpdateDecoder
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static UpdateMessage Decode(ReadOnlyMemory<byte> body, BgpSessionOptions options, AttributeSetInterner? interner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var b = body.Span;
        if (b.Length < 4)
            throw new BgpProtocolException(BgpError.BadMessageLength(BgpConstants.HeaderLength + b.Length, $"UPDATE shorter than {BgpConstants.MinUpdateLength} bytes"));

        // RFC 4271 section 6.3: lengths that do not fit the message are Malformed Attribute List;
        // the NLRI cannot be located, so the session is reset (RFC 7606 section 4).
        int withdrawnLength = BinaryPrimitives.ReadUInt16BigEndian(b);
        if (2 + withdrawnLength + 2 > b.Length)
            throw Reset(UpdateMessageErrorSubcode.MalformedAttributeList, $"Withdrawn Routes Length {withdrawnLength} overruns the {b.Length - 4} bytes of the UPDATE body");
        int attributesLength = BinaryPrimitives.ReadUInt16BigEndian(b[(2 + withdrawnLength)..]);
        if (4 + withdrawnLength + attributesLength > b.Length)
            throw Reset(UpdateMessageErrorSubcode.MalformedAttributeList, $"Total Path Attribute Length {attributesLength} overruns the {b.Length - 4 - withdrawnLength} bytes left");

        bool ipv4PathId = options.HasPathId(AfiSafi.Ipv4Unicast);
        var withdrawn = Section(body.Slice(2, withdrawnLength), ipv4PathId, "Withdrawn Routes");
        var nlri = Section(body[(4 + withdrawnLength + attributesLength)..], ipv4PathId, "NLRI");

        var attributeBytes = body.Slice(4 + withdrawnLength, attributesLength);
        if (interner is not null && attributesLength > 0 && TryCached(attributeBytes, withdrawn, nlri, options, interner) is { } cached)
            return cached;

        var state = new AttributeDecodeState(options);
        bool complete = AttributeListDecoder.Decode(attributeBytes, state);

        // RFC 7606 section 5.1: treat-as-withdraw needs every NLRI located; if the attribute list
        // broke before any MP attribute was found and there is no NLRI field, reachability may be
        // hidden in an MP_REACH_NLRI we never reached, so fall back to a session reset.
        if (!complete && state.MpReach is null && state.MpUnreach is null && nlri.IsEmpty && withdrawn.IsEmpty)
        {
            var cause = state.Errors[^1];
            throw new BgpProtocolException(new BgpError(cause.Code, cause.Subcode, cause.Data, ErrorHandling.SessionReset,
                cause.Description + "; no NLRI could be located, so the session is reset (RFC 7606 section 5.1)"));
        }

        ApplyFourOctetAsRules(state);

        bool announces = !nlri.IsEmpty || state.MpReach is { Data.IsEmpty: false };
        if (announces) CheckMandatory(state, !nlri.IsEmpty);

        var handling = ErrorHandling.None;
        foreach (var e in state.Errors)
            if (e.Handling > handling) handling = e.Handling;
        if (handling == ErrorHandling.SessionReset)
            throw new BgpProtocolException(state.Errors.First(e => e.Handling == ErrorHandling.SessionReset));

        PathAttributes? attributes = null;
        if (announces && handling != ErrorHandling.TreatAsWithdraw)
        {
            attributes = state.Builder.Build();
            if (interner is not null)
            {
                attributes = interner.Intern(attributes);
                if (state.Errors.Count == 0) interner.Encodings.Add(attributeBytes.Span, options.FourOctetAs, attributes);
            }
        }

        return new UpdateMessage(withdrawn, nlri, state.MpReach, state.MpUnreach, attributes, handling,
            state.Errors.Count == 0 ? [] : state.Errors);
    }

    /// <summary>
    /// The fast path: these exact attribute bytes decoded cleanly before, so reuse the set and
    /// decode only the MP NLRI. Returns null whenever anything differs from that clean case.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static UpdateMessage? TryCached(ReadOnlyMemory<byte> attributeBytes, NlriSection withdrawn, NlriSection nlri,
        BgpSessionOptions options, AttributeSetInterner interner)
    {
        var set = interner.Encodings.Find(attributeBytes.Span, options.FourOctetAs, out var mp);
        if (set is null) return null;
        NlriSection? reach = null, unreach = null;
        if (mp.HasReach)
        {
            if (!MultiprotocolAttributes.TryReachNlri(attributeBytes.Slice(mp.ReachStart, mp.ReachLength), options, out var r)) return null;
            reach = r;
        }

        if (mp.HasUnreach)
        {
            if (!MultiprotocolAttributes.TryUnreachNlri(attributeBytes.Slice(mp.UnreachStart, mp.UnreachLength), options, out var u)) return null;
            unreach = u;
        }

        bool announces = !nlri.IsEmpty || reach is { Data.IsEmpty: false };
        // The mandatory attributes were present when the set was cached, except NEXT_HOP, which
        // only the NLRI field needs (RFC 4760 section 3).
        if (!announces || (!nlri.IsEmpty && set.NextHop is null)) return null;
        return new UpdateMessage(withdrawn, nlri, reach, unreach, interner.Intern(set), ErrorHandling.None, []);
    }

    /// <summary>RFC 7606 section 5.3: a bad prefix length in the Withdrawn Routes or NLRI field resets the session (RFC 4271 section 6.3: Invalid Network Field).</summary>
    private static NlriSection Section(ReadOnlyMemory<byte> data, bool hasPathId, string field)
    {
        int count = NlriCodec.Validate(data.Span, Afi.Ipv4, hasPathId, out var problem);
        if (count < 0) throw Reset(UpdateMessageErrorSubcode.InvalidNetworkField, $"{field}: {problem}");
        return new NlriSection(AfiSafi.Ipv4Unicast, hasPathId, data, count);
    }

    /// <summary>
    /// RFC 6793 section 4.2.3: between 2-octet speakers, AS4_AGGREGATOR replaces an AGGREGATOR of
    /// AS_TRANS and AS4_PATH is merged into AS_PATH; if AGGREGATOR holds a real 2-octet AS, both
    /// AS4 attributes are ignored. A 4-octet speaker must not receive them (section 4.1): discarded.
    /// </summary>
    private static void ApplyFourOctetAsRules(AttributeDecodeState state)
    {
        if (state.As4Path is null && state.As4Aggregator is null) return;
        var b = state.Builder;
        if (state.Options.FourOctetAs)
        {
            state.Add(BgpError.Update(UpdateMessageErrorSubcode.OptionalAttributeError, default, ErrorHandling.AttributeDiscard,
                "AS4_PATH/AS4_AGGREGATOR received on a 4-octet AS session, discarded (RFC 6793 section 4.1)"));
            return;
        }

        if (b.Aggregator is { } agg && agg.AsNumber != BgpConstants.AsTrans) return;
        if (state.As4Aggregator is { } as4Agg) b.Aggregator = as4Agg;
        if (state.As4Path is { } as4Path && b.AsPath is { } asPath) b.AsPath = AsPathCodec.Merge(asPath, as4Path);
    }

    /// <summary>
    /// RFC 4271 section 6.3 / RFC 7606 section 3 (d): an UPDATE announcing routes needs ORIGIN and
    /// AS_PATH, and NEXT_HOP when the NLRI field is used (RFC 4760 section 3 waives it for MP-only
    /// updates); a missing one is treat-as-withdraw, data the missing type code.
    /// </summary>
    private static void CheckMandatory(AttributeDecodeState state, bool needsNextHop)
    {
        var b = state.Builder;
        if (state.Errors.Any(e => e.Handling == ErrorHandling.TreatAsWithdraw)) return;
        void Missing(AttributeTypeCode code) => state.Add(BgpError.Update(UpdateMessageErrorSubcode.MissingWellKnownAttribute, [(byte)code],
            ErrorHandling.TreatAsWithdraw, $"well-known mandatory attribute {AttributeTable.NameOf((byte)code)} is missing (RFC 7606 section 3 (d))"));
        if (b.Origin is null) Missing(AttributeTypeCode.Origin);
        if (b.AsPath is null) Missing(AttributeTypeCode.AsPath);
        if (needsNextHop && b.NextHop is null) Missing(AttributeTypeCode.NextHop);
    }

    private static BgpProtocolException Reset(UpdateMessageErrorSubcode subcode, string description) =>
        new(BgpError.Update(subcode, default, ErrorHandling.SessionReset, description));
}
