using System.Collections.Immutable;
using System.Text;

namespace Tabby.Bgp.Wire.Attributes;

/// <summary>AS_PATH segment types (RFC 4271 section 4.3, RFC 5065 section 3).</summary>
public enum AsPathSegmentType : byte
{
    AsSet = 1,
    AsSequence = 2,
    AsConfedSequence = 3,
    AsConfedSet = 4,
}

/// <summary>One AS_PATH segment; AS numbers are always held as 4-octet values.</summary>
public sealed class AsPathSegment : IEquatable<AsPathSegment>
{
    public AsPathSegment(AsPathSegmentType type, ImmutableArray<uint> asns)
    {
        Type = type;
        Asns = asns;
    }

    public AsPathSegmentType Type { get; }

    public ImmutableArray<uint> Asns { get; }

    /// <summary>Contribution to the path length: each AS of a sequence, 1 for a set, 0 for confederation segments (RFC 4271 section 9.1.2.2, RFC 5065 section 5.3).</summary>
    public int PathLength => Type switch
    {
        AsPathSegmentType.AsSequence => Asns.Length,
        AsPathSegmentType.AsSet => 1,
        _ => 0,
    };

    public bool Equals(AsPathSegment? other) => other is not null && Type == other.Type && Asns.AsSpan().SequenceEqual(other.Asns.AsSpan());

    public override bool Equals(object? obj) => Equals(obj as AsPathSegment);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        foreach (var asn in Asns) hash.Add(asn);
        return hash.ToHashCode();
    }

    public override string ToString()
    {
        var inner = string.Join(' ', Asns);
        return Type switch
        {
            AsPathSegmentType.AsSet => "{" + inner + "}",
            AsPathSegmentType.AsConfedSequence => "(" + inner + ")",
            AsPathSegmentType.AsConfedSet => "[" + inner + "]",
            _ => inner,
        };
    }
}

/// <summary>A decoded AS path (after AS4_PATH merging, RFC 6793 section 4.2.3).</summary>
public sealed class AsPath : IEquatable<AsPath>
{
    public static readonly AsPath Empty = new(ImmutableArray<AsPathSegment>.Empty);

    private readonly int _hash;

    public AsPath(ImmutableArray<AsPathSegment> segments)
    {
        Segments = segments;
        var hash = new HashCode();
        foreach (var s in segments) hash.Add(s);
        _hash = hash.ToHashCode();
    }

    /// <summary>A path that is one AS_SEQUENCE.</summary>
    public static AsPath Sequence(params uint[] asns) =>
        asns.Length == 0 ? Empty : new AsPath([new AsPathSegment(AsPathSegmentType.AsSequence, [.. asns])]);

    public ImmutableArray<AsPathSegment> Segments { get; }

    /// <summary>Path length for best-path selection (RFC 4271 section 9.1.2.2).</summary>
    public int PathLength
    {
        get
        {
            int n = 0;
            foreach (var s in Segments) n += s.PathLength;
            return n;
        }
    }

    /// <summary>True if any AS number needs 4 octets (so a 2-octet peer gets AS_TRANS and AS4_PATH).</summary>
    public bool HasFourOctetAs
    {
        get
        {
            foreach (var s in Segments)
                foreach (var a in s.Asns)
                    if (a > ushort.MaxValue) return true;
            return false;
        }
    }

    public bool Equals(AsPath? other) =>
        other is not null && (ReferenceEquals(this, other) || (_hash == other._hash && Segments.AsSpan().SequenceEqual(other.Segments.AsSpan())));

    public override bool Equals(object? obj) => Equals(obj as AsPath);

    public override int GetHashCode() => _hash;

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var s in Segments)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(s);
        }

        return sb.ToString();
    }
}
