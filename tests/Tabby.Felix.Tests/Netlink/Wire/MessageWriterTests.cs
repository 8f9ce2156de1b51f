using System.Net;
using Tabby.Felix.Netlink.Wire;
using Xunit;

namespace Tabby.Felix.Tests.Netlink.Wire;

public sealed class MessageWriterTests
{
    [Fact]
    public void Attributes_are_padded_to_four_bytes_with_zeros_and_nested_lengths_are_patched()
    {
        using var w = new MessageWriter(64);
        w.BeginMessage(MessageType.NewLink, MessageFlags.Request, 7, 99);
        var outer = w.BeginNested(LinkAttr.LinkInfo);
        w.AttributeU8(1, 0xAB);
        w.AttributeString(2, "ab");
        w.EndNested(outer);
        w.EndMessage();

        Assert.Equal(string.Concat(
            "24000000", "1000", "0100", "07000000", "63000000",  // header: len 36, type 16, REQUEST, seq 7, pid 99
            "14001280",                                          // nested 20 bytes, type 18 | NLA_F_NESTED
            "05000100", "AB000000",                              // u8 + 3 zero pad
            "07000200", "61620000"),                             // "ab\0" + 1 zero pad
            Convert.ToHexString(w.WrittenSpan));
        Assert.Equal(1, w.MessageCount);
    }

    [Fact]
    public void The_buffer_grows_past_its_initial_size_and_keeps_what_was_written()
    {
        using var w = new MessageWriter(64);
        for (var i = 0; i < 1000; i++)
        {
            w.BeginMessage(MessageType.NewRoute, MessageFlags.Request, (uint)i);
            w.AttributeAddress(RouteAttr.Destination, IPAddress.Parse("2001:db8::1"));
            w.EndMessage();
        }

        var count = 0;
        foreach (var m in new MessageReader(w.WrittenSpan))
        {
            Assert.Equal((uint)count++, m.Sequence);
        }

        Assert.Equal(1000, count);
    }

    [Fact]
    public void An_abandoned_message_leaves_no_bytes()
    {
        using var w = new MessageWriter();
        w.BeginMessage(MessageType.NewRoute, 0, 1);
        w.EndMessage();
        var length = w.Length;
        w.BeginMessage(MessageType.NewRoute, 0, 2);
        w.AttributeU32(1, 5);
        w.AbandonMessage();
        Assert.Equal(length, w.Length);
        Assert.Throws<InvalidOperationException>(() => w.EndMessage());
    }

    [Fact]
    public void Vxlan_port_is_big_endian_and_learning_is_explicitly_off()
    {
        using var w = new MessageWriter();
        Felix.Netlink.Links.LinkCodec.EncodeVxlan(w, new Felix.Netlink.Links.VxlanSpec("vxlan.calico", 4096, 4789));
        var hex = Convert.ToHexString(w.WrittenSpan);
        Assert.Contains("06000F0012B50000", hex, StringComparison.Ordinal); // IFLA_VXLAN_PORT 4789 = 0x12B5, network order
        Assert.Contains("0500070000000000", hex, StringComparison.Ordinal); // IFLA_VXLAN_LEARNING 0
        Assert.Contains("0800010000100000", hex, StringComparison.Ordinal); // IFLA_VXLAN_ID 4096
    }
}
