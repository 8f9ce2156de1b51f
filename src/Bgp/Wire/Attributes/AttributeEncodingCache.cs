using System.Collections.Concurrent;

namespace Tabby.Bgp.Wire.Attributes;

/// <summary>
/// Finds an already-decoded attribute set from the encoded Path Attributes bytes, so UPDATEs that
/// repeat a known set (the common case when a peer sends a table) skip attribute decoding and
/// allocate nothing for attributes. The key is every attribute byte except MP_REACH_NLRI and
/// MP_UNREACH_NLRI (which carry the NLRI); of MP_REACH only the family and next hop count, as the
/// next hop belongs to the set. Only sets that decoded without any error are registered, and any
/// irregularity in the scan falls back to the full decoder, so results are identical either way.
/// </summary>
internal sealed class AttributeEncodingCache
{
    /// <summary>Bound on remembered encodings; the cache starts over when it is reached.</summary>
    public const int Capacity = 1 << 16;

    private const int MaxAttributes = 32;

    private readonly ConcurrentDictionary<int, Entry> _entries = new();
    private int _count;

    private sealed class Entry(byte[] key, bool fourOctetAs, PathAttributes attributes, Entry? next)
    {
        public byte[] Key { get; } = key;
        public bool FourOctetAs { get; } = fourOctetAs;
        public PathAttributes Attributes { get; } = attributes;
        public Entry? Next { get; } = next;
    }

    /// <summary>Where MP attributes sit in the scanned bytes (value ranges), for the caller to decode their NLRI.</summary>
    public readonly record struct MpLocations(int ReachStart, int ReachLength, int UnreachStart, int UnreachLength)
    {
        public bool HasReach => ReachStart >= 0;
        public bool HasUnreach => UnreachStart >= 0;
    }

    public PathAttributes? Find(ReadOnlySpan<byte> attributes, bool fourOctetAs, out MpLocations mp)
    {
        Span<(int Start, int Length)> pieces = stackalloc (int, int)[MaxAttributes];
        if (!Scan(attributes, pieces, out int pieceCount, out int keyLength, out mp)) return null;
        int hash = Hash(attributes, pieces[..pieceCount], fourOctetAs);
        if (!_entries.TryGetValue(hash, out var entry)) return null;
        for (; entry is not null; entry = entry.Next)
            if (entry.FourOctetAs == fourOctetAs && entry.Key.Length == keyLength && Matches(attributes, pieces[..pieceCount], entry.Key))
                return entry.Attributes;
        return null;
    }

    public void Add(ReadOnlySpan<byte> attributes, bool fourOctetAs, PathAttributes set)
    {
        Span<(int Start, int Length)> pieces = stackalloc (int, int)[MaxAttributes];
        if (!Scan(attributes, pieces, out int pieceCount, out int keyLength, out _)) return;
        var key = new byte[keyLength];
        int at = 0;
        foreach (var (start, length) in pieces[..pieceCount])
        {
            var piece = Piece(attributes, start, length);
            piece.CopyTo(key.AsSpan(at));
            at += piece.Length;
        }

        if (Interlocked.Increment(ref _count) > Capacity)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _count, 1);
        }

        int hash = Hash(attributes, pieces[..pieceCount], fourOctetAs);
        _entries.AddOrUpdate(hash, _ => new Entry(key, fourOctetAs, set, null), (_, old) => new Entry(key, fourOctetAs, set, old));
    }

    /// <summary>
    /// Walks attribute headers. A piece with a negative start is the MP_REACH family+next hop,
    /// keyed with the marker bytes 00 0E in front (no valid attribute starts with flags 00, and
    /// those are rejected here, so keys stay unambiguous).
    /// </summary>
    private static bool Scan(ReadOnlySpan<byte> all, Span<(int Start, int Length)> pieces, out int count, out int keyLength, out MpLocations mp)
    {
        count = 0;
        keyLength = 0;
        int reachStart = -1, reachLength = 0, unreachStart = -1, unreachLength = 0;
        mp = default;
        int pos = 0;
        while (pos < all.Length)
        {
            if (all.Length - pos < 3) return false;
            byte flags = all[pos];
            byte code = all[pos + 1];
            if ((flags & (byte)(AttributeFlags.Optional | AttributeFlags.Transitive)) == 0) return false;
            bool extended = (flags & (byte)AttributeFlags.ExtendedLength) != 0;
            int header = extended ? 4 : 3;
            if (all.Length - pos < header) return false;
            int length = extended ? all[pos + 2] << 8 | all[pos + 3] : all[pos + 2];
            if (header + length > all.Length - pos) return false;
            if (count == pieces.Length) return false;
            // MP headers are not part of the key, so their flags are checked here exactly as the
            // full decoder would: optional, non-transitive, no Partial (RFC 4760 sections 3-4).
            bool mpAttribute = code is (byte)AttributeTypeCode.MpReachNlri or (byte)AttributeTypeCode.MpUnreachNlri;
            if (mpAttribute && (flags & 0xE0) != (byte)AttributeFlags.Optional) return false;
            if (code == (byte)AttributeTypeCode.MpReachNlri)
            {
                if (reachStart >= 0 || length < 5) return false;
                reachStart = pos + header;
                reachLength = length;
                int nextHopLength = all[reachStart + 3];
                if (4 + nextHopLength + 1 > length) return false;
                pieces[count++] = (-(reachStart + 1), 4 + nextHopLength);
                keyLength += 2 + 4 + nextHopLength;
            }
            else if (code == (byte)AttributeTypeCode.MpUnreachNlri)
            {
                if (unreachStart >= 0) return false;
                unreachStart = pos + header;
                unreachLength = length;
            }
            else
            {
                pieces[count++] = (pos, header + length);
                keyLength += header + length;
            }

            pos += header + length;
        }

        mp = new MpLocations(reachStart, reachLength, unreachStart, unreachLength);
        return true;
    }

    private static ReadOnlySpan<byte> MpMarker => [0x00, (byte)AttributeTypeCode.MpReachNlri];

    /// <summary>The key bytes of one piece (MP pieces are returned without their marker; see <see cref="Matches"/>).</summary>
    private static ReadOnlySpan<byte> Piece(ReadOnlySpan<byte> all, int start, int length) =>
        start >= 0 ? all.Slice(start, length) : Concat(all.Slice(-start - 1, length));

    // MP pieces need the marker in the stored key; build that small array only when adding.
    private static byte[] Concat(ReadOnlySpan<byte> familyAndNextHop) => [.. MpMarker, .. familyAndNextHop];

    private static int Hash(ReadOnlySpan<byte> all, ReadOnlySpan<(int Start, int Length)> pieces, bool fourOctetAs)
    {
        var hash = new HashCode();
        hash.Add(fourOctetAs);
        foreach (var (start, length) in pieces)
        {
            if (start >= 0)
            {
                hash.AddBytes(all.Slice(start, length));
            }
            else
            {
                hash.AddBytes(MpMarker);
                hash.AddBytes(all.Slice(-start - 1, length));
            }
        }

        return hash.ToHashCode();
    }

    private static bool Matches(ReadOnlySpan<byte> all, ReadOnlySpan<(int Start, int Length)> pieces, ReadOnlySpan<byte> key)
    {
        int at = 0;
        foreach (var (start, length) in pieces)
        {
            if (start >= 0)
            {
                if (!all.Slice(start, length).SequenceEqual(key.Slice(at, length))) return false;
                at += length;
            }
            else
            {
                if (!key.Slice(at, 2).SequenceEqual(MpMarker) || !all.Slice(-start - 1, length).SequenceEqual(key.Slice(at + 2, length))) return false;
                at += 2 + length;
            }
        }

        return at == key.Length;
    }
}
