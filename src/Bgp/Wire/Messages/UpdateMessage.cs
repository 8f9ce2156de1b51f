using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Wire.Messages;

/// <summary>
/// A decoded UPDATE (RFC 4271 section 4.3, RFC 4760). Prefixes stay in the message bytes and are
/// enumerated as values (<see cref="NlriSection.GetEnumerator"/>), so a large UPDATE costs no
/// allocation per prefix; the body memory must stay untouched while the message is in use.
///
/// How to apply it: withdraw <see cref="Withdrawn"/> and <see cref="MpUnreach"/>; if
/// <see cref="Handling"/> is <see cref="ErrorHandling.TreatAsWithdraw"/>, withdraw
/// <see cref="Nlri"/> and <see cref="MpReach"/> too (RFC 7606 section 2), otherwise announce them
/// with <see cref="Attributes"/>. Errors that reset the session are thrown by the decoder instead.
/// </summary>
public sealed class UpdateMessage : BgpMessage
{
    internal UpdateMessage(NlriSection withdrawn, NlriSection nlri, NlriSection? mpReach, NlriSection? mpUnreach,
        PathAttributes? attributes, ErrorHandling handling, IReadOnlyList<BgpError> errors)
    {
        Withdrawn = withdrawn;
        Nlri = nlri;
        MpReach = mpReach;
        MpUnreach = mpUnreach;
        Attributes = attributes;
        Handling = handling;
        Errors = errors;
    }

    public override MessageType Type => MessageType.Update;

    /// <summary>IPv4 unicast prefixes of the Withdrawn Routes field.</summary>
    public NlriSection Withdrawn { get; }

    /// <summary>IPv4 unicast prefixes of the NLRI field.</summary>
    public NlriSection Nlri { get; }

    /// <summary>Prefixes announced in MP_REACH_NLRI, when present.</summary>
    public NlriSection? MpReach { get; }

    /// <summary>Prefixes withdrawn in MP_UNREACH_NLRI, when present.</summary>
    public NlriSection? MpUnreach { get; }

    /// <summary>The (interned, if an interner was given) attribute set; null when nothing is announced or on treat-as-withdraw.</summary>
    public PathAttributes? Attributes { get; }

    /// <summary>The most severe handling among <see cref="Errors"/> (never SessionReset: that is thrown).</summary>
    public ErrorHandling Handling { get; }

    /// <summary>Problems found and how each was handled (discarded attributes, treat-as-withdraw reasons).</summary>
    public IReadOnlyList<BgpError> Errors { get; }

    public bool IsTreatAsWithdraw => Handling == ErrorHandling.TreatAsWithdraw;

    /// <summary>
    /// End-of-RIB marker (RFC 4724 section 2): for IPv4 unicast an UPDATE with nothing in it; for
    /// other families an UPDATE holding only an empty MP_UNREACH_NLRI.
    /// </summary>
    public bool IsEndOfRib(out AfiSafi family)
    {
        family = AfiSafi.Ipv4Unicast;
        if (!Withdrawn.Data.IsEmpty || !Nlri.Data.IsEmpty || MpReach is not null || Attributes is not null || Errors.Count > 0) return false;
        if (MpUnreach is null) return true;
        family = MpUnreach.Value.Family;
        return MpUnreach.Value.Data.IsEmpty;
    }

    /// <summary>Decodes an UPDATE body; see <see cref="UpdateDecoder"/>.</summary>
    public static UpdateMessage Decode(ReadOnlyMemory<byte> body, BgpSessionOptions options, AttributeSetInterner? interner = null) =>
        UpdateDecoder.Decode(body, options, interner);

    /// <summary>
    /// Re-encodes with <paramref name="options"/>. A treat-as-withdraw UPDATE loses its announcement,
    /// and MP_REACH/MP_UNREACH of families the codec does not decode are not written back.
    /// </summary>
    internal override void WriteBody(ref SpanWriter writer, BgpSessionOptions options)
    {
        int withdrawnAt = writer.Reserve(2);
        WriteEntries(ref writer, Withdrawn, options);
        writer.PatchUInt16(withdrawnAt, (ushort)(writer.Position - withdrawnAt - 2));
        int attributesAt = writer.Reserve(2);
        if (MpUnreach is { } unreach && unreach.Family.IsUnicastIp) UpdateEncoding.WriteMpUnreach(ref writer, unreach.Family, unreach, options);
        if (!IsTreatAsWithdraw && Attributes is { } attributes)
        {
            if (MpReach is { } reach && reach.Family.IsUnicastIp) UpdateEncoding.WriteMpReach(ref writer, reach.Family, attributes, reach, options);
            AttributeTable.EncodeAll(attributes, ref writer, options, includeNextHop: !Nlri.IsEmpty);
        }

        writer.PatchUInt16(attributesAt, (ushort)(writer.Position - attributesAt - 2));
        if (!IsTreatAsWithdraw) WriteEntries(ref writer, Nlri, options);
    }

    private static void WriteEntries(ref SpanWriter writer, NlriSection section, BgpSessionOptions options)
    {
        bool hasPathId = options.HasPathId(section.Family);
        foreach (var entry in section)
        {
            var span = writer.Take(NlriCodec.EncodedLength(entry, hasPathId));
            NlriCodec.Write(span, entry, hasPathId);
        }
    }

    public override string ToString()
    {
        var parts = new List<string> { "UPDATE" };
        if (!Withdrawn.IsEmpty) parts.Add($"withdrawn {Withdrawn.Count}");
        if (MpUnreach is { } u) parts.Add($"mp-unreach {u.Family} {u.Count}");
        if (MpReach is { } r) parts.Add($"mp-reach {r.Family} {r.Count}");
        if (!Nlri.IsEmpty) parts.Add($"nlri {Nlri.Count}");
        if (Attributes is not null) parts.Add(Attributes.ToString());
        if (Handling != ErrorHandling.None) parts.Add(Handling.ToString());
        return string.Join(' ', parts);
    }
}
