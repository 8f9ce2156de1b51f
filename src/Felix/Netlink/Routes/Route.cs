using System.Net;
using System.Net.Sockets;
using Tabby.Felix.Netlink.Addresses;

namespace Tabby.Felix.Netlink.Routes;

/// <summary>RTN_* route types (linux/rtnetlink.h).</summary>
public enum RouteType : byte
{
    Unspecified = 0,
    Unicast = 1,
    Local = 2,
    Broadcast = 3,
    Anycast = 4,
    Multicast = 5,
    Blackhole = 6,
    Unreachable = 7,
    Prohibit = 8,
}

/// <summary>RTPROT_* values Tabby meets (linux/rtnetlink.h, iproute2's rt_protos).</summary>
public static class RouteProtocol
{
    public const byte Unspecified = 0;
    public const byte Redirect = 1;
    public const byte Kernel = 2;
    public const byte Boot = 3;
    public const byte Static = 4;
    /// <summary>BIRD's routes.</summary>
    public const byte Bird = 12;
    /// <summary>Felix's (and Tabby's) routes: protocol 80 marks routes the agent owns.</summary>
    public const byte Felix = 80;
}

/// <summary>Well-known routing tables (RT_TABLE_*).</summary>
public static class RouteTables
{
    public const uint Main = 254;
    public const uint Local = 255;
}

/// <summary>One path of a route: <c>nexthop via GATEWAY dev IFINDEX [onlink] [weight W]</c>.</summary>
public sealed record NextHop(IPAddress? Gateway, int InterfaceIndex, bool OnLink = false, int Weight = 1)
{
    public override string ToString() =>
        $"{(Gateway is null ? "" : $"via {Gateway} ")}dev {InterfaceIndex}{(OnLink ? " onlink" : "")}{(Weight != 1 ? $" weight {Weight}" : "")}";
}

/// <summary>
/// A kernel route. Single-path routes use <see cref="Gateway"/>/<see cref="InterfaceIndex"/>/<see cref="OnLink"/>;
/// multipath (ECMP) routes list <see cref="NextHops"/> (two or more) instead.
/// <c>ip route add [TYPE] DESTINATION [via GATEWAY] [dev IF] [onlink] [proto P] [table T] [metric M] [scope S] [src ADDR]</c>
/// or <c>... nexthop via A dev X nexthop via B dev Y</c>.
/// </summary>
public sealed record Route(IPNetwork Destination)
{
    public RouteType Type { get; init; } = RouteType.Unicast;

    public byte Protocol { get; init; } = RouteProtocol.Boot;

    public uint Table { get; init; } = RouteTables.Main;

    /// <summary>RTA_PRIORITY (the metric); IPv6 routes default to 1024 in the kernel when absent.</summary>
    public uint? Metric { get; init; }

    /// <summary>Null picks the usual default: link for device-only unicast routes, host for local, universe otherwise.</summary>
    public Scope? Scope { get; init; }

    public IPAddress? Gateway { get; init; }

    public int? InterfaceIndex { get; init; }

    /// <summary>RTNH_F_ONLINK: the gateway is reachable on the device even without a matching subnet.</summary>
    public bool OnLink { get; init; }

    public IPAddress? PreferredSource { get; init; }

    public IReadOnlyList<NextHop> NextHops { get; init; } = [];

    public AddressFamily Family => Destination.BaseAddress.AddressFamily;

    /// <summary>The scope the kernel will record for this route (IPv6 routes have no scope: the kernel reports universe).</summary>
    public Scope EffectiveScope => Family == AddressFamily.InterNetworkV6 ? Addresses.Scope.Universe : Scope ?? Type switch
    {
        RouteType.Local => Addresses.Scope.Host,
        RouteType.Unicast when Gateway is null && NextHops.Count == 0 && InterfaceIndex is not null => Addresses.Scope.Link,
        _ => Addresses.Scope.Universe,
    };

    public bool Equals(Route? other) =>
        other is not null
        && Destination.Equals(other.Destination)
        && Type == other.Type
        && Protocol == other.Protocol
        && Table == other.Table
        && Metric == other.Metric
        && EffectiveScope == other.EffectiveScope
        && Equals(Gateway, other.Gateway)
        && InterfaceIndex == other.InterfaceIndex
        && OnLink == other.OnLink
        && Equals(PreferredSource, other.PreferredSource)
        && NextHops.SequenceEqual(other.NextHops);

    public override int GetHashCode() => HashCode.Combine(Destination, Type, Table, Metric, Gateway, InterfaceIndex);

    public override string ToString()
    {
        var text = Type == RouteType.Unicast ? $"{Destination}" : $"{Type.ToString().ToLowerInvariant()} {Destination}";
        if (NextHops.Count > 0)
        {
            text += string.Concat(NextHops.Select(n => $" nexthop {n}"));
        }
        else
        {
            text += (Gateway is null ? "" : $" via {Gateway}") + (InterfaceIndex is { } i ? $" dev {i}" : "") + (OnLink ? " onlink" : "");
        }

        return $"{text} proto {Protocol} table {Table}{(Metric is { } m ? $" metric {m}" : "")}";
    }
}
