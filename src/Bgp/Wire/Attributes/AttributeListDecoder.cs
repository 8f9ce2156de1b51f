using Tabby.Bgp.Wire.Errors;

namespace Tabby.Bgp.Wire.Attributes;

/// <summary>
/// Walks the Path Attributes field of an UPDATE: header checks, duplicates, flags, unknown
/// attributes, then the per-attribute decoder from <see cref="AttributeTable"/>. Every problem is
/// recorded with its RFC 7606 action; nothing is thrown here.
/// </summary>
internal static class AttributeListDecoder
{
    /// <summary>Decodes the attributes; returns false if the list is structurally broken (decoding stopped early).</summary>
    public static bool Decode(ReadOnlyMemory<byte> attributes, AttributeDecodeState state)
    {
        Span<ulong> seen = stackalloc ulong[4];
        seen.Clear();
        var all = attributes.Span;
        int pos = 0;
        while (pos < all.Length)
        {
            // RFC 7606 section 4: too few bytes for an attribute header, or a length that runs past
            // the Total Path Attribute Length, is treat-as-withdraw.
            int remaining = all.Length - pos;
            if (remaining < 3 || (remaining < 4 && (all[pos] & (byte)AttributeFlags.ExtendedLength) != 0))
            {
                state.Add(BgpError.Update(UpdateMessageErrorSubcode.MalformedAttributeList, default, ErrorHandling.TreatAsWithdraw,
                    $"attribute header at offset {pos} truncated ({remaining} bytes left)"));
                return false;
            }

            var flags = (AttributeFlags)all[pos];
            byte code = all[pos + 1];
            bool extended = (flags & AttributeFlags.ExtendedLength) != 0;
            int headerLength = extended ? 4 : 3;
            int length = extended ? all[pos + 2] << 8 | all[pos + 3] : all[pos + 2];
            if (headerLength + length > remaining)
            {
                state.Add(BgpError.Update(UpdateMessageErrorSubcode.AttributeLengthError, all.Slice(pos, remaining), ErrorHandling.TreatAsWithdraw,
                    $"{AttributeTable.NameOf(code)} length {length} overruns the path attributes ({remaining - headerLength} bytes left)"));
                return false;
            }

            var whole = all.Slice(pos, headerLength + length);
            var value = attributes.Slice(pos + headerLength, length);
            pos += headerLength + length;

            // RFC 7606 section 3 (g): a repeated MP_REACH/MP_UNREACH resets the session; any other
            // repeated attribute is discarded after its first occurrence.
            ref ulong word = ref seen[code >> 6];
            ulong bit = 1UL << (code & 63);
            if ((word & bit) != 0)
            {
                bool mp = code is (byte)AttributeTypeCode.MpReachNlri or (byte)AttributeTypeCode.MpUnreachNlri;
                state.Add(BgpError.Update(UpdateMessageErrorSubcode.MalformedAttributeList, default,
                    mp ? ErrorHandling.SessionReset : ErrorHandling.AttributeDiscard, $"{AttributeTable.NameOf(code)} appears more than once"));
                continue;
            }

            word |= bit;
            var row = AttributeTable.Get(code);
            if (row is null)
            {
                DecodeUnknown(flags, code, value, whole, state);
                continue;
            }

            // RFC 4271 section 6.3 / RFC 7606 section 3 (c): Optional and Transitive must match the
            // attribute's definition, and Partial is only allowed on optional transitive attributes
            // (RFC 4271 section 5); the attribute is then handled as malformed.
            var category = flags & (AttributeFlags.Optional | AttributeFlags.Transitive);
            bool partialMisused = (flags & AttributeFlags.Partial) != 0 && row.Flags != (AttributeFlags.Optional | AttributeFlags.Transitive);
            if (category != row.Flags || partialMisused)
            {
                state.Add(BgpError.Update(UpdateMessageErrorSubcode.AttributeFlagsError, whole, row.OnMalformed,
                    $"{row.Name} flags 0x{(byte)flags:x2} do not match its definition (optional={(row.Flags & AttributeFlags.Optional) != 0}, transitive={(row.Flags & AttributeFlags.Transitive) != 0}) ({row.HandlingReference})"));
                continue;
            }

            if (row.Decode(value, state) is { } problem)
            {
                // RFC 4271 section 6.3: Malformed AS_PATH carries no data; the others carry the attribute.
                var data = problem.Subcode == UpdateMessageErrorSubcode.MalformedAsPath ? default : whole;
                state.Add(BgpError.Update(problem.Subcode, data, row.OnMalformed, $"{problem.Description} ({row.HandlingReference})"));
            }
        }

        return true;
    }

    private static void DecodeUnknown(AttributeFlags flags, byte code, ReadOnlyMemory<byte> value, ReadOnlySpan<byte> whole, AttributeDecodeState state)
    {
        if ((flags & AttributeFlags.Optional) == 0)
        {
            // RFC 4271 section 6.3: an unrecognized well-known attribute; data is the attribute.
            state.Add(BgpError.Update(UpdateMessageErrorSubcode.UnrecognizedWellKnownAttribute, whole, ErrorHandling.SessionReset,
                $"attribute type {code} is marked well-known but is not recognized"));
            return;
        }

        // RFC 4271 section 5: unknown optional transitive attributes are passed on with Partial
        // set; unknown optional non-transitive ones are quietly ignored.
        if ((flags & AttributeFlags.Transitive) != 0)
            state.Builder.Unknown.Add(new RawAttribute(flags | AttributeFlags.Partial, code, value.ToArray()));
    }
}
