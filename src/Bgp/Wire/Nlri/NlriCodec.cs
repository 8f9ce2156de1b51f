using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Tabby.Bgp.Wire.Nlri;

/// <summary>
/// Reads and writes the prefix encoding shared by the Withdrawn Routes and NLRI fields and by
/// MP_REACH/MP_UNREACH (RFC 4271 section 4.3, RFC 4760 section 5, RFC 7911 section 3).
/// </summary>
public static class NlriCodec
{
    /// <summary>
    /// Checks that <paramref name="data"/> is a whole sequence of prefixes of <paramref name="afi"/>;
    /// returns the number of prefixes, or -1 with <paramref name="problem"/> set. Strict: a length
    /// beyond the family's maximum, or a prefix running past the end, is an error (RFC 7606 section 5.3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Validate(ReadOnlySpan<byte> data, Afi afi, bool hasPathId, out string? problem)
    {
        int maxBits = afi == Afi.Ipv6 ? 128 : 32;
        int count = 0;
        int pos = 0;
        while (pos < data.Length)
        {
            if (hasPathId)
            {
                if (data.Length - pos < 5)
                {
                    problem = $"prefix {count} at offset {pos}: path identifier and length need 5 bytes, {data.Length - pos} left";
                    return -1;
                }

                pos += 4;
            }

            int bits = data[pos];
            if (bits > maxBits)
            {
                problem = $"prefix {count} at offset {pos}: length {bits} exceeds {maxBits} for {afi}";
                return -1;
            }

            int bytes = (bits + 7) >> 3;
            if (pos + 1 + bytes > data.Length)
            {
                problem = $"prefix {count} at offset {pos}: /{bits} needs {bytes} address bytes, {data.Length - pos - 1} left";
                return -1;
            }

            pos += 1 + bytes;
            count++;
        }

        problem = null;
        return count;
    }

    /// <summary>Reads one prefix at <paramref name="pos"/> (already validated) and advances past it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static NlriEntry ReadOne(ReadOnlySpan<byte> data, ref int pos, Afi afi, bool hasPathId)
    {
        uint pathId = 0;
        if (hasPathId)
        {
            pathId = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            pos += 4;
        }

        int bits = data[pos];
        int bytes = (bits + 7) >> 3;
        var prefix = BgpPrefix.FromNlriBytes(afi, bits, data.Slice(pos + 1, bytes));
        pos += 1 + bytes;
        return new NlriEntry(prefix, pathId);
    }

    /// <summary>Bytes one entry takes on the wire.</summary>
    public static int EncodedLength(in NlriEntry entry, bool hasPathId) => (hasPathId ? 4 : 0) + 1 + entry.Prefix.NlriByteCount;

    /// <summary>Writes one entry; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, in NlriEntry entry, bool hasPathId)
    {
        int pos = 0;
        if (hasPathId)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, entry.PathId);
            pos = 4;
        }

        return pos + entry.Prefix.WriteNlri(destination[pos..]);
    }
}
