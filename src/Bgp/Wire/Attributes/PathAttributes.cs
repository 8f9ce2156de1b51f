using System.Collections.Immutable;
using System.Net;

namespace Tabby.Bgp.Wire.Attributes;

/// <summary>
/// An immutable, decoded set of path attributes shared by every route an UPDATE carries. The hash
/// is computed once and equality compares every field, so equal sets can be interned into one
/// instance (<see cref="AttributeSetInterner"/>) and a RIB stores a pointer per route. The MP_REACH
/// next hop is part of the set (it belongs to the path, like NEXT_HOP); the NLRI are not.
/// Build one with <see cref="PathAttributesBuilder"/>.
/// </summary>
public sealed class PathAttributes : IEquatable<PathAttributes>
{
    private readonly int _hash;

    internal PathAttributes(PathAttributesBuilder b)
    {
        Origin = b.Origin;
        AsPath = b.AsPath;
        NextHop = b.NextHop;
        MultiExitDisc = b.MultiExitDisc;
        LocalPref = b.LocalPref;
        AtomicAggregate = b.AtomicAggregate;
        Aggregator = b.Aggregator;
        Communities = [.. b.Communities];
        OriginatorId = b.OriginatorId;
        ClusterList = [.. b.ClusterList];
        ExtendedCommunities = [.. b.ExtendedCommunities];
        LargeCommunities = [.. b.LargeCommunities];
        MpNextHop = b.MpNextHop;
        MpLinkLocalNextHop = b.MpLinkLocalNextHop;
        Unknown = [.. b.Unknown];
        _hash = ComputeHash();
    }

    public Origin? Origin { get; }

    public AsPath? AsPath { get; }

    /// <summary>NEXT_HOP (IPv4 NLRI in the classic NLRI field; RFC 4271 section 5.1.3).</summary>
    public IPAddress? NextHop { get; }

    public uint? MultiExitDisc { get; }

    public uint? LocalPref { get; }

    public bool AtomicAggregate { get; }

    public Aggregator? Aggregator { get; }

    public ImmutableArray<Community> Communities { get; }

    public uint? OriginatorId { get; }

    public ImmutableArray<uint> ClusterList { get; }

    public ImmutableArray<ExtendedCommunity> ExtendedCommunities { get; }

    public ImmutableArray<LargeCommunity> LargeCommunities { get; }

    /// <summary>The next hop carried in MP_REACH_NLRI (RFC 4760 section 3).</summary>
    public IPAddress? MpNextHop { get; }

    /// <summary>The IPv6 link-local second next hop of a 32-byte MP_REACH next hop (RFC 2545 section 3).</summary>
    public IPAddress? MpLinkLocalNextHop { get; }

    /// <summary>Unrecognized optional transitive attributes, Partial bit set, in arrival order.</summary>
    public ImmutableArray<RawAttribute> Unknown { get; }

    public PathAttributesBuilder ToBuilder() => new(this);

    private int ComputeHash()
    {
        var h = new HashCode();
        h.Add(Origin);
        h.Add(AsPath);
        h.Add(NextHop);
        h.Add(MultiExitDisc);
        h.Add(LocalPref);
        h.Add(AtomicAggregate);
        h.Add(Aggregator);
        foreach (var c in Communities) h.Add(c);
        h.Add(OriginatorId);
        foreach (var c in ClusterList) h.Add(c);
        foreach (var c in ExtendedCommunities) h.Add(c);
        foreach (var c in LargeCommunities) h.Add(c);
        h.Add(MpNextHop);
        h.Add(MpLinkLocalNextHop);
        foreach (var u in Unknown) h.Add(u);
        return h.ToHashCode();
    }

    public override int GetHashCode() => _hash;

    public override bool Equals(object? obj) => Equals(obj as PathAttributes);

    public bool Equals(PathAttributes? other)
    {
        if (ReferenceEquals(this, other)) return true;
        return other is not null
            && _hash == other._hash
            && Origin == other.Origin
            && Equals(AsPath, other.AsPath)
            && Equals(NextHop, other.NextHop)
            && MultiExitDisc == other.MultiExitDisc
            && LocalPref == other.LocalPref
            && AtomicAggregate == other.AtomicAggregate
            && Aggregator == other.Aggregator
            && Communities.AsSpan().SequenceEqual(other.Communities.AsSpan())
            && OriginatorId == other.OriginatorId
            && ClusterList.AsSpan().SequenceEqual(other.ClusterList.AsSpan())
            && ExtendedCommunities.AsSpan().SequenceEqual(other.ExtendedCommunities.AsSpan())
            && LargeCommunities.AsSpan().SequenceEqual(other.LargeCommunities.AsSpan())
            && Equals(MpNextHop, other.MpNextHop)
            && Equals(MpLinkLocalNextHop, other.MpLinkLocalNextHop)
            && Unknown.AsSpan().SequenceEqual(other.Unknown.AsSpan());
    }

    public override string ToString() => string.Join("; ", AttributeTable.FormatText(this));
}
