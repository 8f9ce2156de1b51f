using System.Net;
using Tabby.Felix.Netlink.Routes;

namespace Tabby.Felix.RouteTable;

/// <summary>
/// Who wants a route. When two sources want the same destination the lower value wins, so the
/// choice never depends on update order: a workload /32 beats everything (the pod is here); a local
/// block blackhole beats a remote copy of the same block (borrowed IPs are reached by their /32s);
/// tunnel routes beat BGP-learned paths; BGP-learned routes come last.
/// </summary>
public enum RouteSource
{
    Workload = 0,
    LocalBlock = 1,
    Tunnel = 2,
    Bgp = 3,
}

/// <summary>A path of a desired route; the interface is named (its ifindex is resolved at apply time).</summary>
/// <param name="Gateway">Next-hop address, null for a device route.</param>
/// <param name="Interface">Output device name, null to let the kernel pick from the gateway.</param>
/// <param name="OnLink">Treat the gateway as directly reachable on the device (tunnels).</param>
public sealed record DesiredNextHop(IPAddress? Gateway, string? Interface, bool OnLink = false);

/// <summary>A route some source wants in the kernel, in terms independent of ifindexes.</summary>
public sealed record DesiredRoute(IPNetwork Destination)
{
    public RouteType Type { get; init; } = RouteType.Unicast;

    /// <summary>None for blackhole/unreachable, one for a plain route, several for ECMP.</summary>
    public IReadOnlyList<DesiredNextHop> NextHops { get; init; } = [];

    /// <summary>Null means the family default (0 for IPv4, 1024 for IPv6).</summary>
    public uint? Metric { get; init; }

    public static DesiredRoute Blackhole(IPNetwork destination) => new(destination) { Type = RouteType.Blackhole };

    public static DesiredRoute Unreachable(IPNetwork destination) => new(destination) { Type = RouteType.Unreachable };

    public static DesiredRoute Via(IPNetwork destination, IPAddress gateway, string? device, bool onLink = false) =>
        new(destination) { NextHops = [new DesiredNextHop(gateway, device, onLink)] };

    public static DesiredRoute Device(IPNetwork destination, string device) =>
        new(destination) { NextHops = [new DesiredNextHop(null, device)] };

    public bool Equals(DesiredRoute? other) =>
        other is not null && Destination.Equals(other.Destination) && Type == other.Type && Metric == other.Metric
        && NextHops.SequenceEqual(other.NextHops);

    public override int GetHashCode() => HashCode.Combine(Destination, Type, Metric, NextHops.Count);

    public override string ToString() => Type switch
    {
        RouteType.Unicast => $"{Destination} {string.Join(" ", NextHops.Select(h => $"{(h.Gateway is null ? "" : $"via {h.Gateway} ")}dev {h.Interface}{(h.OnLink ? " onlink" : "")}"))}",
        _ => $"{Type.ToString().ToLowerInvariant()} {Destination}",
    };
}

/// <summary>A destination of the route table: the winning route, who wants it, and whether the kernel holds it as wanted.</summary>
public sealed record RouteTableEntry(DesiredRoute Route, RouteSource Source, bool Programmed);
