using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Wire.Attributes;

/// <summary>
/// Every path attribute the codec knows, indexed by type code: required flags, the RFC 7606
/// action for a malformed value, and how to decode, encode and print it. Behaviour that varies per
/// attribute lives here and nowhere else.
/// </summary>
internal static class AttributeTable
{
    private const AttributeFlags WellKnown = AttributeFlags.Transitive;
    private const AttributeFlags OptionalTransitive = AttributeFlags.Optional | AttributeFlags.Transitive;
    private const AttributeFlags OptionalNonTransitive = AttributeFlags.Optional;

    // Declared before Rows: static fields initialize in text order and BuildRows uses it.
    private static readonly AttributeEncoder NoEncode = (PathAttributes a, ref SpanWriter w, BgpSessionOptions o) => { };

    private static readonly AttributeDefinition?[] Rows = BuildRows();

    public static AttributeDefinition? Get(byte code) => Rows[code];

    public static IEnumerable<AttributeDefinition> All => Rows.Where(r => r is not null)!;

    public static string NameOf(byte code) => Rows[code]?.Name ?? $"ATTR_{code}";

    private static AttributeDefinition?[] BuildRows()
    {
        var rows = new AttributeDefinition?[256];
        void Add(AttributeDefinition d) => rows[(int)d.Code] = d;

        Add(new(AttributeTypeCode.Origin, "ORIGIN", WellKnown, ErrorHandling.TreatAsWithdraw, "RFC 7606 section 7.1",
            DecodeOrigin,
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                if (a.Origin is not { } origin) return;
                int at = Begin(ref w, WellKnown, AttributeTypeCode.Origin);
                w.WriteByte((byte)origin);
                End(ref w, at);
            }),
            (a, j) => { if (a.Origin is { } o) j.WriteString("origin", OriginName(o)); },
            a => a.Origin is { } o ? "origin " + OriginName(o) : null));

        Add(new(AttributeTypeCode.AsPath, "AS_PATH", WellKnown, ErrorHandling.TreatAsWithdraw, "RFC 7606 section 7.2",
            (value, s) =>
            {
                // RFC 6793 section 4.1: 4-byte AS numbers only between 4-octet AS speakers.
                var path = AsPathCodec.Decode(value.Span, s.Options.FourOctetAs ? 4 : 2, out var problem);
                if (path is null) return new AttributeProblem(UpdateMessageErrorSubcode.MalformedAsPath, "AS_PATH " + problem);
                s.Builder.AsPath = path;
                return null;
            },
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                if (a.AsPath is not { } path) return;
                int at = Begin(ref w, WellKnown, AttributeTypeCode.AsPath);
                AsPathCodec.Write(ref w, path, o.FourOctetAs ? 4 : 2);
                End(ref w, at);
            }),
            (a, j) => { if (a.AsPath is { } p) WriteAsPathJson(j, "asPath", p); },
            a => a.AsPath is { } p ? "as-path " + p : null));

        Add(new(AttributeTypeCode.NextHop, "NEXT_HOP", WellKnown, ErrorHandling.TreatAsWithdraw, "RFC 7606 section 7.3",
            DecodeNextHop,
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                if (a.NextHop is not { } nh) return;
                int at = Begin(ref w, WellKnown, AttributeTypeCode.NextHop);
                nh.TryWriteBytes(w.Take(4), out _);
                End(ref w, at);
            }),
            (a, j) => { if (a.NextHop is { } nh) j.WriteString("nextHop", nh.ToString()); },
            a => a.NextHop is { } nh ? "next-hop " + nh : null));

        Add(U32(AttributeTypeCode.MultiExitDisc, "MULTI_EXIT_DISC", OptionalNonTransitive, "RFC 7606 section 7.4",
            (b, v) => b.MultiExitDisc = v, a => a.MultiExitDisc, "med", "med"));

        Add(new(AttributeTypeCode.LocalPref, "LOCAL_PREF", WellKnown, ErrorHandling.TreatAsWithdraw, "RFC 7606 section 7.5",
            (value, s) =>
            {
                if (value.Length != 4) return LengthProblem("LOCAL_PREF", value.Length, "4");
                // RFC 7606 section 7.5: from an external peer it is discarded, whatever its value.
                if (s.Options.ExternalPeer)
                    s.Add(BgpError.Update(UpdateMessageErrorSubcode.Unspecific, default, ErrorHandling.AttributeDiscard,
                        "LOCAL_PREF from an external peer discarded (RFC 7606 section 7.5)"));
                else
                    s.Builder.LocalPref = BinaryPrimitives.ReadUInt32BigEndian(value.Span);
                return null;
            },
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                // RFC 4271 section 5.1.5: never sent to external peers.
                if (a.LocalPref is not { } v || o.ExternalPeer) return;
                int at = Begin(ref w, WellKnown, AttributeTypeCode.LocalPref);
                w.WriteUInt32(v);
                End(ref w, at);
            }),
            (a, j) => { if (a.LocalPref is { } v) j.WriteNumber("localPref", v); },
            a => a.LocalPref is { } v ? $"local-pref {v}" : null));

        Add(new(AttributeTypeCode.AtomicAggregate, "ATOMIC_AGGREGATE", WellKnown, ErrorHandling.AttributeDiscard, "RFC 7606 section 7.6",
            (value, s) =>
            {
                if (value.Length != 0) return LengthProblem("ATOMIC_AGGREGATE", value.Length, "0");
                s.Builder.AtomicAggregate = true;
                return null;
            },
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                if (!a.AtomicAggregate) return;
                End(ref w, Begin(ref w, WellKnown, AttributeTypeCode.AtomicAggregate));
            }),
            (a, j) => { if (a.AtomicAggregate) j.WriteBoolean("atomicAggregate", true); },
            a => a.AtomicAggregate ? "atomic-aggregate" : null));

        Add(new(AttributeTypeCode.Aggregator, "AGGREGATOR", OptionalTransitive, ErrorHandling.AttributeDiscard, "RFC 7606 section 7.7",
            (value, s) =>
            {
                // 2-byte AS + address between 2-octet speakers, 4-byte AS + address otherwise (RFC 6793 section 4.1).
                int expected = s.Options.FourOctetAs ? 8 : 6;
                if (value.Length != expected) return LengthProblem("AGGREGATOR", value.Length, expected.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var v = value.Span;
                s.Builder.Aggregator = expected == 8
                    ? new Aggregator(BinaryPrimitives.ReadUInt32BigEndian(v), BinaryPrimitives.ReadUInt32BigEndian(v[4..]))
                    : new Aggregator(BinaryPrimitives.ReadUInt16BigEndian(v), BinaryPrimitives.ReadUInt32BigEndian(v[2..]));
                return null;
            },
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                if (a.Aggregator is not { } agg) return;
                int at = Begin(ref w, OptionalTransitive, AttributeTypeCode.Aggregator);
                if (o.FourOctetAs) w.WriteUInt32(agg.AsNumber);
                else w.WriteUInt16(agg.AsNumber > ushort.MaxValue ? BgpConstants.AsTrans : (ushort)agg.AsNumber);
                w.WriteUInt32(agg.Address);
                End(ref w, at);
            }),
            (a, j) =>
            {
                if (a.Aggregator is not { } agg) return;
                j.WriteStartObject("aggregator");
                j.WriteNumber("as", agg.AsNumber);
                j.WriteString("address", Ipv4Text(agg.Address));
                j.WriteEndObject();
            },
            a => a.Aggregator is { } agg ? "aggregator " + agg : null));

        Add(new(AttributeTypeCode.Communities, "COMMUNITIES", OptionalTransitive, ErrorHandling.TreatAsWithdraw, "RFC 7606 section 7.8",
            (value, s) =>
            {
                if (value.Length == 0 || value.Length % 4 != 0) return LengthProblem("COMMUNITIES", value.Length, "a non-zero multiple of 4");
                var v = value.Span;
                for (int i = 0; i < v.Length; i += 4) s.Builder.Communities.Add(new Community(BinaryPrimitives.ReadUInt32BigEndian(v[i..])));
                return null;
            },
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                if (a.Communities.IsEmpty) return;
                int at = Begin(ref w, OptionalTransitive, AttributeTypeCode.Communities);
                foreach (var c in a.Communities) w.WriteUInt32(c.Value);
                End(ref w, at);
            }),
            (a, j) => { if (!a.Communities.IsEmpty) WriteStrings(j, "communities", a.Communities); },
            a => a.Communities.IsEmpty ? null : "communities " + string.Join(' ', a.Communities)));

        Add(new(AttributeTypeCode.OriginatorId, "ORIGINATOR_ID", OptionalNonTransitive, ErrorHandling.TreatAsWithdraw, "RFC 7606 section 7.9",
            (value, s) =>
            {
                if (value.Length != 4) return LengthProblem("ORIGINATOR_ID", value.Length, "4");
                s.Builder.OriginatorId = BinaryPrimitives.ReadUInt32BigEndian(value.Span);
                return null;
            },
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                if (a.OriginatorId is not { } id) return;
                int at = Begin(ref w, OptionalNonTransitive, AttributeTypeCode.OriginatorId);
                w.WriteUInt32(id);
                End(ref w, at);
            }),
            (a, j) => { if (a.OriginatorId is { } id) j.WriteString("originatorId", Ipv4Text(id)); },
            a => a.OriginatorId is { } id ? "originator-id " + Ipv4Text(id) : null));

        Add(new(AttributeTypeCode.ClusterList, "CLUSTER_LIST", OptionalNonTransitive, ErrorHandling.TreatAsWithdraw, "RFC 7606 section 7.10",
            (value, s) =>
            {
                if (value.Length == 0 || value.Length % 4 != 0) return LengthProblem("CLUSTER_LIST", value.Length, "a non-zero multiple of 4");
                var v = value.Span;
                for (int i = 0; i < v.Length; i += 4) s.Builder.ClusterList.Add(BinaryPrimitives.ReadUInt32BigEndian(v[i..]));
                return null;
            },
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                if (a.ClusterList.IsEmpty) return;
                int at = Begin(ref w, OptionalNonTransitive, AttributeTypeCode.ClusterList);
                foreach (var c in a.ClusterList) w.WriteUInt32(c);
                End(ref w, at);
            }),
            (a, j) => { if (!a.ClusterList.IsEmpty) WriteStrings(j, "clusterList", a.ClusterList.Select(Ipv4Text)); },
            a => a.ClusterList.IsEmpty ? null : "cluster-list " + string.Join(' ', a.ClusterList.Select(Ipv4Text))));

        // MP_REACH / MP_UNREACH carry NLRI, so the UPDATE encoder writes them; the next hop is in the set.
        Add(new(AttributeTypeCode.MpReachNlri, "MP_REACH_NLRI", OptionalNonTransitive, ErrorHandling.SessionReset, "RFC 7606 section 7.11",
            MultiprotocolAttributes.DecodeReach, NoEncode,
            (a, j) =>
            {
                if (a.MpNextHop is { } nh) j.WriteString("mpNextHop", nh.ToString());
                if (a.MpLinkLocalNextHop is { } ll) j.WriteString("mpLinkLocalNextHop", ll.ToString());
            },
            a => a.MpNextHop is { } nh ? "mp-next-hop " + nh + (a.MpLinkLocalNextHop is { } ll ? " " + ll : "") : null));

        Add(new(AttributeTypeCode.MpUnreachNlri, "MP_UNREACH_NLRI", OptionalNonTransitive, ErrorHandling.SessionReset, "RFC 7606 section 7.11",
            MultiprotocolAttributes.DecodeUnreach, NoEncode, (a, j) => { }, a => null));

        Add(new(AttributeTypeCode.ExtendedCommunities, "EXTENDED_COMMUNITIES", OptionalTransitive, ErrorHandling.TreatAsWithdraw, "RFC 7606 section 7.14",
            (value, s) =>
            {
                if (value.Length == 0 || value.Length % 8 != 0) return LengthProblem("EXTENDED_COMMUNITIES", value.Length, "a non-zero multiple of 8");
                var v = value.Span;
                for (int i = 0; i < v.Length; i += 8) s.Builder.ExtendedCommunities.Add(new ExtendedCommunity(BinaryPrimitives.ReadUInt64BigEndian(v[i..])));
                return null;
            },
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                if (a.ExtendedCommunities.IsEmpty) return;
                int at = Begin(ref w, OptionalTransitive, AttributeTypeCode.ExtendedCommunities);
                foreach (var c in a.ExtendedCommunities) w.WriteUInt64(c.Value);
                End(ref w, at);
            }),
            (a, j) => { if (!a.ExtendedCommunities.IsEmpty) WriteStrings(j, "extendedCommunities", a.ExtendedCommunities); },
            a => a.ExtendedCommunities.IsEmpty ? null : "extended-communities " + string.Join(' ', a.ExtendedCommunities)));

        Add(new(AttributeTypeCode.As4Path, "AS4_PATH", OptionalTransitive, ErrorHandling.AttributeDiscard, "RFC 6793 section 6",
            (value, s) =>
            {
                var path = AsPathCodec.Decode(value.Span, 4, out var problem);
                if (path is null) return new AttributeProblem(UpdateMessageErrorSubcode.OptionalAttributeError, "AS4_PATH " + problem);
                s.As4Path = path;
                return null;
            },
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                // Only towards a 2-octet speaker, and only when AS_TRANS hid something (RFC 6793 section 4.2.2).
                if (o.FourOctetAs || a.AsPath is not { } path || !path.HasFourOctetAs) return;
                int at = Begin(ref w, OptionalTransitive, AttributeTypeCode.As4Path);
                AsPathCodec.Write(ref w, path, 4, skipConfederation: true);
                End(ref w, at);
            }),
            (a, j) => { }, a => null));

        Add(new(AttributeTypeCode.As4Aggregator, "AS4_AGGREGATOR", OptionalTransitive, ErrorHandling.AttributeDiscard, "RFC 6793 section 6",
            (value, s) =>
            {
                if (value.Length != 8) return new AttributeProblem(UpdateMessageErrorSubcode.OptionalAttributeError, $"AS4_AGGREGATOR length {value.Length}, must be 8");
                var v = value.Span;
                s.As4Aggregator = new Aggregator(BinaryPrimitives.ReadUInt32BigEndian(v), BinaryPrimitives.ReadUInt32BigEndian(v[4..]));
                return null;
            },
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                if (o.FourOctetAs || a.Aggregator is not { } agg || agg.AsNumber <= ushort.MaxValue) return;
                int at = Begin(ref w, OptionalTransitive, AttributeTypeCode.As4Aggregator);
                w.WriteUInt32(agg.AsNumber);
                w.WriteUInt32(agg.Address);
                End(ref w, at);
            }),
            (a, j) => { }, a => null));

        Add(new(AttributeTypeCode.LargeCommunity, "LARGE_COMMUNITY", OptionalTransitive, ErrorHandling.TreatAsWithdraw, "RFC 8092 section 6",
            (value, s) =>
            {
                if (value.Length == 0 || value.Length % 12 != 0) return LengthProblem("LARGE_COMMUNITY", value.Length, "a non-zero multiple of 12");
                var v = value.Span;
                for (int i = 0; i < v.Length; i += 12)
                    s.Builder.LargeCommunities.Add(new LargeCommunity(BinaryPrimitives.ReadUInt32BigEndian(v[i..]), BinaryPrimitives.ReadUInt32BigEndian(v[(i + 4)..]), BinaryPrimitives.ReadUInt32BigEndian(v[(i + 8)..])));
                return null;
            },
            (AttributeEncoder)((PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                if (a.LargeCommunities.IsEmpty) return;
                int at = Begin(ref w, OptionalTransitive, AttributeTypeCode.LargeCommunity);
                foreach (var c in a.LargeCommunities)
                {
                    w.WriteUInt32(c.GlobalAdministrator);
                    w.WriteUInt32(c.LocalData1);
                    w.WriteUInt32(c.LocalData2);
                }

                End(ref w, at);
            }),
            (a, j) => { if (!a.LargeCommunities.IsEmpty) WriteStrings(j, "largeCommunities", a.LargeCommunities); },
            a => a.LargeCommunities.IsEmpty ? null : "large-communities " + string.Join(' ', a.LargeCommunities)));

        return rows;
    }

    /// <summary>RFC 4271 section 5.1.1: one byte, 0..2; a bad length is Attribute Length Error, a bad value Invalid ORIGIN.</summary>
    private static AttributeProblem? DecodeOrigin(ReadOnlyMemory<byte> value, AttributeDecodeState s)
    {
        if (value.Length != 1) return LengthProblem("ORIGIN", value.Length, "1");
        byte v = value.Span[0];
        if (v > 2) return new AttributeProblem(UpdateMessageErrorSubcode.InvalidOriginAttribute, $"ORIGIN value {v} is not IGP (0), EGP (1) or INCOMPLETE (2)");
        s.Builder.Origin = (Origin)v;
        return null;
    }

    /// <summary>RFC 4271 section 6.3: 4 bytes, and not 0.0.0.0, broadcast or multicast (Invalid NEXT_HOP).</summary>
    private static AttributeProblem? DecodeNextHop(ReadOnlyMemory<byte> value, AttributeDecodeState s)
    {
        if (value.Length != 4) return LengthProblem("NEXT_HOP", value.Length, "4");
        uint raw = BinaryPrimitives.ReadUInt32BigEndian(value.Span);
        if (raw == 0 || raw == 0xFFFFFFFF || (raw >> 28) == 0xE)
            return new AttributeProblem(UpdateMessageErrorSubcode.InvalidNextHopAttribute, $"NEXT_HOP {Ipv4Text(raw)} is not a unicast address");
        s.Builder.NextHop = new IPAddress(value.Span);
        return null;
    }

    private static AttributeDefinition U32(AttributeTypeCode code, string name, AttributeFlags flags, string reference,
        Action<PathAttributesBuilder, uint> set, Func<PathAttributes, uint?> get, string jsonName, string textName) =>
        new(code, name, flags, ErrorHandling.TreatAsWithdraw, reference,
            (value, s) =>
            {
                if (value.Length != 4) return LengthProblem(name, value.Length, "4");
                set(s.Builder, BinaryPrimitives.ReadUInt32BigEndian(value.Span));
                return null;
            },
            (PathAttributes a, ref SpanWriter w, BgpSessionOptions o) =>
            {
                if (get(a) is not { } v) return;
                int at = Begin(ref w, flags, code);
                w.WriteUInt32(v);
                End(ref w, at);
            },
            (a, j) => { if (get(a) is { } v) j.WriteNumber(jsonName, v); },
            a => get(a) is { } v ? $"{textName} {v}" : null);

    internal static AttributeProblem LengthProblem(string name, int length, string expected) =>
        new(UpdateMessageErrorSubcode.AttributeLengthError, $"{name} length {length}, must be {expected}");

    /// <summary>
    /// Starts an attribute with a 2-byte length; <see cref="End"/> shrinks it to one byte (clearing
    /// Extended Length) when the value fits in 255 bytes (RFC 4271 section 4.3).
    /// </summary>
    internal static int Begin(ref SpanWriter w, AttributeFlags flags, AttributeTypeCode code) => Begin(ref w, flags, (byte)code);

    internal static int Begin(ref SpanWriter w, AttributeFlags flags, byte code)
    {
        w.WriteByte((byte)(flags | AttributeFlags.ExtendedLength));
        w.WriteByte(code);
        return w.Reserve(2);
    }

    internal static void End(ref SpanWriter w, int lengthAt)
    {
        int length = w.Position - lengthAt - 2;
        if (length <= 255)
        {
            w.DeleteByte(lengthAt);
            w.PatchByte(lengthAt, (byte)length);
            w.PatchByte(lengthAt - 2, (byte)(w.Written[lengthAt - 2] & ~(byte)AttributeFlags.ExtendedLength));
        }
        else
        {
            w.PatchUInt16(lengthAt, (ushort)length);
        }
    }

    /// <summary>Writes every attribute of the set in ascending type code order (RFC 4271 section 5), unknown ones included.</summary>
    public static void EncodeAll(PathAttributes attributes, ref SpanWriter writer, BgpSessionOptions options, bool includeNextHop)
    {
        for (int code = 1; code < 256; code++)
        {
            var row = Rows[code];
            if (row is not null && (includeNextHop || row.Code != AttributeTypeCode.NextHop))
                row.Encode(attributes, ref writer, options);
            foreach (var raw in attributes.Unknown)
            {
                if (raw.TypeCode != code) continue;
                int at = Begin(ref writer, raw.Flags, raw.TypeCode);
                writer.Write(raw.Value.Span);
                End(ref writer, at);
            }
        }
    }

    public static void WriteJson(PathAttributes attributes, Utf8JsonWriter json)
    {
        foreach (var row in All) row.WriteJson(attributes, json);
        if (attributes.Unknown.IsEmpty) return;
        json.WriteStartArray("unknown");
        foreach (var raw in attributes.Unknown)
        {
            json.WriteStartObject();
            json.WriteNumber("type", raw.TypeCode);
            json.WriteNumber("flags", (byte)raw.Flags);
            json.WriteString("value", Convert.ToHexStringLower(raw.Value.Span));
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    public static IEnumerable<string> FormatText(PathAttributes attributes)
    {
        foreach (var row in All)
            if (row.FormatText(attributes) is { } text) yield return text;
        foreach (var raw in attributes.Unknown) yield return "attribute " + raw;
    }

    internal static string OriginName(Origin o) => o switch
    {
        Origin.Igp => "igp",
        Origin.Egp => "egp",
        _ => "incomplete",
    };

    internal static string Ipv4Text(uint v) => $"{v >> 24}.{(v >> 16) & 0xFF}.{(v >> 8) & 0xFF}.{v & 0xFF}";

    private static void WriteStrings<T>(Utf8JsonWriter j, string name, IEnumerable<T> items)
    {
        j.WriteStartArray(name);
        foreach (var item in items) j.WriteStringValue(item?.ToString());
        j.WriteEndArray();
    }

    private static void WriteAsPathJson(Utf8JsonWriter j, string name, AsPath path)
    {
        j.WriteStartArray(name);
        foreach (var segment in path.Segments)
        {
            j.WriteStartObject();
            j.WriteString("type", segment.Type switch
            {
                AsPathSegmentType.AsSet => "set",
                AsPathSegmentType.AsSequence => "sequence",
                AsPathSegmentType.AsConfedSequence => "confed-sequence",
                _ => "confed-set",
            });
            j.WriteStartArray("asns");
            foreach (var asn in segment.Asns) j.WriteNumberValue(asn);
            j.WriteEndArray();
            j.WriteEndObject();
        }

        j.WriteEndArray();
    }
}
