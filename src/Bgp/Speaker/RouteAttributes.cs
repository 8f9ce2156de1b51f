using System.Net;
using Tabby.Bgp.Wire.Attributes;

namespace Tabby.Bgp.Speaker;

/// <summary>Attributes of a locally originated route.</summary>
public sealed record RouteAttributes
{
    public static readonly RouteAttributes Default = new();

    public IReadOnlyList<Community> Communities { get; init; } = [];

    public IReadOnlyList<LargeCommunity> LargeCommunities { get; init; } = [];

    public uint? LocalPreference { get; init; }

    public uint? Med { get; init; }

    public Origin Origin { get; init; } = Origin.Igp;

    /// <summary>Explicit next hop; null means our own address on each session.</summary>
    public IPAddress? NextHop { get; init; }
}
