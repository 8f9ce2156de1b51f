using System.Net;
using System.Runtime.InteropServices;
using Tabby.Felix.Netlink.Addresses;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.Netlink.Routes;

/// <summary>Encodes RTM_NEWROUTE/RTM_DELROUTE and parses route dumps and events.</summary>
public static class RouteCodec
{
    /// <summary>RTNH_F_ONLINK (linux/rtnetlink.h), in rtm_flags and rtnh_flags.</summary>
    public const byte OnLinkFlag = 0x4;

    /// <summary>RTM_F_CLONED: a cached clone, not a configured route.</summary>
    public const uint ClonedFlag = 0x200;

    /// <summary>The IPv6 metric the kernel records when none is given.</summary>
    public const uint Ipv6DefaultMetric = 1024;

    private static readonly AttributePolicy Policy = new("RTM_NEWROUTE",
        (RouteAttr.Destination, "RTA_DST", AttributeShape.Address),
        (RouteAttr.Gateway, "RTA_GATEWAY", AttributeShape.Address),
        (RouteAttr.PreferredSource, "RTA_PREFSRC", AttributeShape.Address),
        (RouteAttr.OutputInterface, "RTA_OIF", AttributeShape.U32),
        (RouteAttr.Priority, "RTA_PRIORITY", AttributeShape.U32),
        (RouteAttr.Table, "RTA_TABLE", AttributeShape.U32),
        (RouteAttr.Multipath, "RTA_MULTIPATH", AttributeShape.Binary));

    private static readonly AttributePolicy NextHopPolicy = new("RTA_MULTIPATH nexthop",
        (RouteAttr.Gateway, "RTA_GATEWAY", AttributeShape.Address));

    /// <summary>The body of <c>ip route add|replace ROUTE</c>.</summary>
    public static void EncodeNew(MessageWriter w, Route route)
    {
        var family = AddressCodec.FamilyOf(route.Destination.BaseAddress);
        var single = route.NextHops.Count == 0;
        if (!single && (route.Gateway is not null || route.InterfaceIndex is not null))
        {
            throw new ArgumentException($"route {route.Destination}: use either NextHops or Gateway/InterfaceIndex, not both", nameof(route));
        }

        if (route.Type != RouteType.Unicast && (route.Gateway is not null || !single))
        {
            throw new ArgumentException($"route {route.Destination}: a {route.Type} route has no next hop", nameof(route));
        }

        w.Write(new RtMsg
        {
            Family = family,
            DestinationLength = (byte)route.Destination.PrefixLength,
            Table = route.Table < 256 ? (byte)route.Table : (byte)0,
            Protocol = route.Protocol,
            Scope = (byte)route.EffectiveScope,
            Type = (byte)route.Type,
            Flags = single && route.OnLink ? OnLinkFlag : 0u,
        });
        w.AttributeU32(RouteAttr.Table, route.Table);
        w.AttributeAddress(RouteAttr.Destination, route.Destination.BaseAddress);
        if (route.Metric is { } metric)
        {
            w.AttributeU32(RouteAttr.Priority, metric);
        }

        if (route.PreferredSource is { } source)
        {
            w.AttributeAddress(RouteAttr.PreferredSource, source);
        }

        if (single)
        {
            if (route.Gateway is { } gateway)
            {
                RequireFamily(gateway, family, route);
                w.AttributeAddress(RouteAttr.Gateway, gateway);
            }

            if (route.InterfaceIndex is { } index)
            {
                w.AttributeU32(RouteAttr.OutputInterface, (uint)index);
            }

            return;
        }

        var multipath = w.BeginContainer(RouteAttr.Multipath);
        foreach (var hop in route.NextHops)
        {
            if (hop.Weight is < 1 or > 256)
            {
                throw new ArgumentException($"route {route.Destination}: next hop weight {hop.Weight} is outside 1..256", nameof(route));
            }

            // rtnh_hops is weight - 1 (iproute2 convention).
            var start = w.BeginNextHop(hop.OnLink ? OnLinkFlag : (byte)0, (byte)(hop.Weight - 1), hop.InterfaceIndex);
            if (hop.Gateway is { } gateway)
            {
                RequireFamily(gateway, family, route);
                w.AttributeAddress(RouteAttr.Gateway, gateway);
            }

            w.EndNextHop(start);
        }

        w.EndNested(multipath);
    }

    /// <summary>
    /// The body of <c>ip route del DESTINATION [type] proto P table T [metric M]</c>: matched by key
    /// and protocol, so a delete never removes another owner's route with the same destination.
    /// </summary>
    public static void EncodeDelete(MessageWriter w, Route route)
    {
        var family = AddressCodec.FamilyOf(route.Destination.BaseAddress);
        w.Write(new RtMsg
        {
            Family = family,
            DestinationLength = (byte)route.Destination.PrefixLength,
            Table = route.Table < 256 ? (byte)route.Table : (byte)0,
            Protocol = route.Protocol,
            // RT_SCOPE_NOWHERE on delete matches routes of every scope (iproute2 does the same).
            Scope = (byte)Scope.Nowhere,
        });
        w.AttributeU32(RouteAttr.Table, route.Table);
        w.AttributeAddress(RouteAttr.Destination, route.Destination.BaseAddress);
        if (route.Metric is { } metric)
        {
            w.AttributeU32(RouteAttr.Priority, metric);
        }
    }

    /// <summary>
    /// A dump request for one family; with NETLINK_GET_STRICT_CHK the kernel filters by table and
    /// protocol itself (callers filter again for kernels without it).
    /// </summary>
    public static void EncodeDumpRequest(MessageWriter w, byte family, uint? table, byte protocol)
    {
        w.Write(new RtMsg
        {
            Family = family,
            Table = table is { } t && t < 256 ? (byte)t : (byte)0,
            Protocol = protocol,
        });
        if (table is { } tableId)
        {
            w.AttributeU32(RouteAttr.Table, tableId);
        }
    }

    public static Route? Parse(in NetlinkMessage message)
    {
        if (message.Type is not (MessageType.NewRoute or MessageType.DelRoute))
        {
            return null;
        }

        var header = message.ReadHeader<RtMsg>();
        if ((header.Flags & ClonedFlag) != 0 || header.Family is not (Family.Inet or Family.Inet6))
        {
            return null;
        }

        IPAddress? destination = null, gateway = null, source = null;
        int? oif = null;
        uint? metric = null;
        uint table = header.Table;
        List<NextHop>? hops = null;
        foreach (var a in message.Attributes(RtMsg.Size))
        {
            Policy.Check(a, header.Family);
            switch (a.Type)
            {
                case RouteAttr.Destination: destination = a.Address; break;
                case RouteAttr.Gateway: gateway = a.Address; break;
                case RouteAttr.PreferredSource: source = a.Address; break;
                case RouteAttr.OutputInterface: oif = a.I32; break;
                case RouteAttr.Priority: metric = a.U32; break;
                case RouteAttr.Table: table = a.U32; break;
                case RouteAttr.Multipath: hops = ParseMultipath(a.Value, header.Family); break;
            }
        }

        var maxLength = header.Family == Family.Inet ? 32 : 128;
        if (header.DestinationLength > maxLength)
        {
            throw new NetlinkProtocolException($"RTM_NEWROUTE prefix length {header.DestinationLength} exceeds {maxLength}");
        }

        destination ??= header.Family == Family.Inet ? IPAddress.Any : IPAddress.IPv6Any;
        var type = (RouteType)header.Type;
        // The kernel reports IPv6 blackhole/unreachable routes on lo; that device is not part of the route.
        if (type is RouteType.Blackhole or RouteType.Unreachable or RouteType.Prohibit)
        {
            oif = null;
        }

        return new Route(new IPNetwork(destination, header.DestinationLength))
        {
            Type = type,
            Protocol = header.Protocol,
            Table = table,
            Metric = header.Family == Family.Inet && metric == 0 ? null : metric,
            Scope = (Scope)header.Scope,
            Gateway = gateway,
            InterfaceIndex = oif,
            OnLink = (header.Flags & OnLinkFlag) != 0,
            PreferredSource = source,
            NextHops = hops is null ? [] : hops,
        };
    }

    private static List<NextHop> ParseMultipath(ReadOnlySpan<byte> value, byte family)
    {
        var hops = new List<NextHop>();
        while (value.Length >= RtNextHop.Size)
        {
            var hop = MemoryMarshal.Read<RtNextHop>(value);
            if (hop.Length < RtNextHop.Size || hop.Length > value.Length)
            {
                throw new NetlinkProtocolException($"RTA_MULTIPATH nexthop length {hop.Length} is outside {RtNextHop.Size}..{value.Length}");
            }

            IPAddress? gateway = null;
            foreach (var a in new AttributeReader(value[RtNextHop.Size..hop.Length]))
            {
                NextHopPolicy.Check(a, family);
                if (a.Type == RouteAttr.Gateway)
                {
                    gateway = a.Address;
                }
            }

            hops.Add(new NextHop(gateway, hop.InterfaceIndex, (hop.Flags & OnLinkFlag) != 0, hop.Hops + 1));
            value = value[Math.Min(MessageWriter.Align(hop.Length), value.Length)..];
        }

        return hops;
    }

    private static void RequireFamily(IPAddress gateway, byte family, Route route)
    {
        if (AddressCodec.FamilyOf(gateway) != family)
        {
            throw new ArgumentException($"route {route.Destination}: gateway {gateway} is not in the destination's address family", nameof(route));
        }
    }
}
