using System.Net;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.Netlink.Wire;
using Xunit;

namespace Tabby.Felix.Tests.Netlink.Wire;

public sealed class MessageReaderTests
{
    private static int Count(byte[] datagram)
    {
        var n = 0;
        foreach (var _ in new MessageReader(datagram))
        {
            n++;
        }

        return n;
    }

    [Theory]
    [InlineData("0f000000010000000000000000000000")]          // length 15 < header
    [InlineData("20000000010000000000000000000000")]          // length 32 > datagram
    [InlineData("1000000001000000000000000000000000")]        // one trailing byte
    public void Lying_message_lengths_are_rejected(string hex) =>
        Assert.Throws<NetlinkProtocolException>(() => Count(Convert.FromHexString(hex)));

    [Fact]
    public void An_attribute_longer_than_its_message_is_rejected()
    {
        var bytes = Convert.FromHexString("10000100c0000201");
        bytes[0] = 0x40;
        Assert.Throws<NetlinkProtocolException>(() =>
        {
            foreach (var _ in new AttributeReader(bytes))
            {
            }
        });
    }

    [Fact]
    public void A_route_attribute_of_the_wrong_size_is_named_in_the_error()
    {
        using var w = new MessageWriter();
        w.BeginMessage(MessageType.NewRoute, 0, 1);
        w.Write(new RtMsg { Family = Family.Inet, DestinationLength = 24, Type = 1 });
        w.Attribute(RouteAttr.Destination, [10, 0, 0]); // 3 bytes: not an IPv4 address
        w.EndMessage();
        var bytes = w.WrittenSpan.ToArray();
        var error = Assert.Throws<NetlinkProtocolException>(() =>
        {
            foreach (var m in new MessageReader(bytes))
            {
                RouteCodec.Parse(m);
            }
        });
        Assert.Equal("RTM_NEWROUTE: attribute RTA_DST has 3 bytes, expected 4", error.Message);
    }

    [Fact]
    public void A_payload_shorter_than_its_family_header_is_rejected()
    {
        using var w = new MessageWriter();
        w.BeginMessage(MessageType.NewRoute, 0, 1);
        w.Reserve(4);
        w.EndMessage();
        var bytes = w.WrittenSpan.ToArray();
        Assert.Throws<NetlinkProtocolException>(() =>
        {
            foreach (var m in new MessageReader(bytes))
            {
                RouteCodec.Parse(m);
            }
        });
    }

    [Fact]
    public void Routes_round_trip_through_encode_and_parse()
    {
        var routes = new[]
        {
            new Route(IPNetwork.Parse("10.1.0.0/26")) { Gateway = IPAddress.Parse("192.0.2.1"), InterfaceIndex = 3, OnLink = true, Protocol = 80 },
            new Route(IPNetwork.Parse("2001:db8::/64")) { Type = RouteType.Unreachable, Metric = 1024, Table = 1000 },
            new Route(IPNetwork.Parse("10.2.0.0/26")) { NextHops = [new NextHop(IPAddress.Parse("192.0.2.1"), 3, true, 3), new NextHop(IPAddress.Parse("192.0.2.2"), 4)] },
        };
        using var w = new MessageWriter();
        foreach (var route in routes)
        {
            w.BeginMessage(MessageType.NewRoute, 0, 1);
            RouteCodec.EncodeNew(w, route);
            w.EndMessage();
        }

        var parsed = new List<Route>();
        foreach (var m in new MessageReader(w.WrittenSpan))
        {
            parsed.Add(RouteCodec.Parse(m)!);
        }

        Assert.Equal(routes, parsed);
    }

    [Fact]
    public void Monitor_events_decode_each_object_type()
    {
        using var w = new MessageWriter();
        w.BeginMessage(MessageType.DelRoute, 0, 0);
        RouteCodec.EncodeNew(w, new Route(IPNetwork.Parse("10.3.0.0/26")) { Type = RouteType.Blackhole, Protocol = 80 });
        w.EndMessage();
        foreach (var m in new MessageReader(w.WrittenSpan))
        {
            var e = NetlinkMonitor.Decode(m)!;
            Assert.Equal(NetlinkEventKind.RouteRemoved, e.Kind);
            Assert.Equal(IPNetwork.Parse("10.3.0.0/26"), e.Route!.Destination);
        }
    }
}
