using System.Net;

namespace Tabby.Bgp.Wire.Attributes;

/// <summary>Mutable staging area for a <see cref="PathAttributes"/>; the decoder fills one per UPDATE and policy code edits copies.</summary>
public sealed class PathAttributesBuilder
{
    public PathAttributesBuilder() { }

    public PathAttributesBuilder(PathAttributes from)
    {
        ArgumentNullException.ThrowIfNull(from);
        Origin = from.Origin;
        AsPath = from.AsPath;
        NextHop = from.NextHop;
        MultiExitDisc = from.MultiExitDisc;
        LocalPref = from.LocalPref;
        AtomicAggregate = from.AtomicAggregate;
        Aggregator = from.Aggregator;
        Communities.AddRange(from.Communities);
        OriginatorId = from.OriginatorId;
        ClusterList.AddRange(from.ClusterList);
        ExtendedCommunities.AddRange(from.ExtendedCommunities);
        LargeCommunities.AddRange(from.LargeCommunities);
        MpNextHop = from.MpNextHop;
        MpLinkLocalNextHop = from.MpLinkLocalNextHop;
        Unknown.AddRange(from.Unknown);
    }

    public Origin? Origin { get; set; }

    public AsPath? AsPath { get; set; }

    public IPAddress? NextHop { get; set; }

    public uint? MultiExitDisc { get; set; }

    public uint? LocalPref { get; set; }

    public bool AtomicAggregate { get; set; }

    public Aggregator? Aggregator { get; set; }

    public List<Community> Communities { get; } = [];

    public uint? OriginatorId { get; set; }

    public List<uint> ClusterList { get; } = [];

    public List<ExtendedCommunity> ExtendedCommunities { get; } = [];

    public List<LargeCommunity> LargeCommunities { get; } = [];

    public IPAddress? MpNextHop { get; set; }

    public IPAddress? MpLinkLocalNextHop { get; set; }

    public List<RawAttribute> Unknown { get; } = [];

    public PathAttributes Build() => new(this);
}
