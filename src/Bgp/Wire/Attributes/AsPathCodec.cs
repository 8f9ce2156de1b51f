using System.Buffers.Binary;
using System.Collections.Immutable;

namespace Tabby.Bgp.Wire.Attributes;

/// <summary>AS_PATH / AS4_PATH wire encoding: segments of type (1), count (1), ASNs of 2 or 4 bytes (RFC 4271 section 4.3, RFC 6793).</summary>
public static class AsPathCodec
{
    /// <summary>
    /// Decodes segments with <paramref name="asnSize"/>-byte AS numbers. Returns null and a problem
    /// for the malformations of RFC 7606 section 7.2: unknown segment type, zero-length segment, or
    /// a segment running past the attribute.
    /// </summary>
    public static AsPath? Decode(ReadOnlySpan<byte> value, int asnSize, out string? problem)
    {
        if (value.IsEmpty)
        {
            problem = null;
            return AsPath.Empty;
        }

        var segments = ImmutableArray.CreateBuilder<AsPathSegment>();
        int pos = 0;
        while (pos < value.Length)
        {
            if (value.Length - pos < 2)
            {
                problem = $"segment header at offset {pos} truncated";
                return null;
            }

            byte type = value[pos];
            int count = value[pos + 1];
            if (type is < 1 or > 4)
            {
                problem = $"segment type {type} at offset {pos} is not AS_SET, AS_SEQUENCE, AS_CONFED_SEQUENCE or AS_CONFED_SET";
                return null;
            }

            if (count == 0)
            {
                problem = $"segment at offset {pos} has zero length";
                return null;
            }

            if (pos + 2 + count * asnSize > value.Length)
            {
                problem = $"segment at offset {pos} of {count} {asnSize}-byte AS numbers overruns the attribute ({value.Length - pos - 2} bytes left)";
                return null;
            }

            var asns = new uint[count];
            for (int i = 0; i < count; i++)
            {
                var at = value.Slice(pos + 2 + i * asnSize);
                asns[i] = asnSize == 4 ? BinaryPrimitives.ReadUInt32BigEndian(at) : BinaryPrimitives.ReadUInt16BigEndian(at);
            }

            segments.Add(new AsPathSegment((AsPathSegmentType)type, ImmutableArray.Create(asns)));
            pos += 2 + count * asnSize;
        }

        problem = null;
        return new AsPath(segments.ToImmutable());
    }

    /// <summary>
    /// Writes the segments; with 2-byte ASNs, numbers above 65535 become AS_TRANS (RFC 6793 section 4.2.2).
    /// Segments longer than 255 are split, as the count is one byte. Confederation segments are
    /// left out when <paramref name="skipConfederation"/> (AS4_PATH must not carry them, RFC 6793 section 3).
    /// </summary>
    public static void Write(ref SpanWriter writer, AsPath path, int asnSize, bool skipConfederation = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var segment in path.Segments)
        {
            if (skipConfederation && segment.Type is AsPathSegmentType.AsConfedSequence or AsPathSegmentType.AsConfedSet) continue;
            var asns = segment.Asns.AsSpan();
            while (!asns.IsEmpty)
            {
                int n = Math.Min(asns.Length, 255);
                writer.WriteByte((byte)segment.Type);
                writer.WriteByte((byte)n);
                foreach (var asn in asns[..n])
                {
                    if (asnSize == 4) writer.WriteUInt32(asn);
                    else writer.WriteUInt16(asn > ushort.MaxValue ? BgpConstants.AsTrans : (ushort)asn);
                }

                asns = asns[n..];
            }
        }
    }

    /// <summary>
    /// Rebuilds the real path from a 2-octet AS_PATH and an AS4_PATH (RFC 6793 section 4.2.3): when
    /// AS_PATH is shorter than AS4_PATH the AS4_PATH is ignored; otherwise the leading AS numbers of
    /// AS_PATH that AS4_PATH does not cover are kept and AS4_PATH follows them.
    /// </summary>
    public static AsPath Merge(AsPath asPath, AsPath as4Path)
    {
        ArgumentNullException.ThrowIfNull(asPath);
        ArgumentNullException.ThrowIfNull(as4Path);
        int keep = asPath.PathLength - as4Path.PathLength;
        if (keep < 0) return asPath;
        var result = ImmutableArray.CreateBuilder<AsPathSegment>();
        foreach (var segment in asPath.Segments)
        {
            if (keep <= 0 && segment.PathLength > 0) break;
            if (segment.Type == AsPathSegmentType.AsSequence)
            {
                int take = Math.Min(keep, segment.Asns.Length);
                if (take == 0) break;
                result.Add(take == segment.Asns.Length ? segment : new AsPathSegment(segment.Type, segment.Asns[..take]));
                keep -= take;
            }
            else
            {
                result.Add(segment);
                keep -= segment.PathLength;
            }
        }

        foreach (var segment in as4Path.Segments)
        {
            // Join adjacent sequences so the merged path equals what a 4-octet peer would have sent.
            if (result.Count > 0 && segment.Type == AsPathSegmentType.AsSequence && result[^1].Type == AsPathSegmentType.AsSequence)
                result[^1] = new AsPathSegment(AsPathSegmentType.AsSequence, result[^1].Asns.AddRange(segment.Asns));
            else
                result.Add(segment);
        }

        return new AsPath(result.ToImmutable());
    }
}
