using System.Buffers;
using System.Net;
using Tabby.Bgp.Tests.Wire.Attributes;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Messages;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Tests.Wire.Messages;

public class UpdateBuilderTests
{
    private static NlriEntry[] Ipv4Prefixes(int count, bool pathIds = false) =>
        Enumerable.Range(0, count).Select(i => new NlriEntry(BgpPrefix.FromIpv4(0xC6120000u + ((uint)i << 8), 24), pathIds ? (uint)i + 1 : 0)).ToArray();

    private static NlriEntry[] Ipv6Prefixes(int count) =>
        Enumerable.Range(0, count).Select(i => new NlriEntry(BgpPrefix.FromIpv6(0x20010db800000000UL | (ulong)i << 16, 0, 48), 0)).ToArray();

    private static PathAttributes Ipv6Attributes(bool linkLocal)
    {
        var b = AttributeTableTests.Everything().ToBuilder();
        b.NextHop = null;
        b.MpNextHop = IPAddress.Parse("2001:db8::1");
        if (linkLocal) b.MpLinkLocalNextHop = IPAddress.Parse("fe80::1");
        return b.Build();
    }

    /// <summary>Splits the output into messages and decodes them; every message must respect the maximum.</summary>
    private static List<UpdateMessage> DecodeAll(ReadOnlyMemory<byte> written, BgpSessionOptions options)
    {
        var list = new List<UpdateMessage>();
        var sequence = new ReadOnlySequence<byte>(written);
        while (BgpFrameReader.TryRead(ref sequence, options, out var frame))
        {
            Assert.True(frame.Length <= options.MaxMessageLength);
            list.Add((UpdateMessage)BgpMessageDecoder.Decode(frame, options));
        }

        Assert.Equal(0, sequence.Length);
        return list;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void PacksManyIpv4PrefixesIntoFullMessages(bool addPath, bool extended)
    {
        var options = new BgpSessionOptions { FourOctetAs = true, ExtendedMessage = extended, AddPath = addPath ? AddPathFamilies.Ipv4Unicast : AddPathFamilies.None };
        var prefixes = Ipv4Prefixes(5000, addPath);
        var output = new ArrayBufferWriter<byte>();
        int count = new UpdateBuilder(options).WriteAnnouncements(output, AttributeTableTests.Everything(), AfiSafi.Ipv4Unicast, prefixes);
        var updates = DecodeAll(output.WrittenMemory, options);
        Assert.Equal(count, updates.Count);
        Assert.Equal(prefixes, updates.SelectMany(u => u.Nlri.ToList()).ToArray());
        Assert.All(updates, u => Assert.Equal(AttributeTableTests.Everything(), u.Attributes));
        // Dense packing: every message but the last is within one prefix of the maximum.
        int perPrefix = addPath ? 8 : 4;
        var sequence = new ReadOnlySequence<byte>(output.WrittenMemory);
        for (int i = 0; i < count - 1; i++)
        {
            Assert.True(BgpFrameReader.TryRead(ref sequence, options, out var frame));
            Assert.True(frame.Length > options.MaxMessageLength - perPrefix, $"message {i} is {frame.Length} bytes");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ipv6AnnouncementsUseMpReachFirstWithOptionalLinkLocal(bool linkLocal)
    {
        var options = new BgpSessionOptions { FourOctetAs = true };
        var attributes = Ipv6Attributes(linkLocal);
        var prefixes = Ipv6Prefixes(2000);
        var output = new ArrayBufferWriter<byte>();
        new UpdateBuilder(options).WriteAnnouncements(output, attributes, AfiSafi.Ipv6Unicast, prefixes);
        var updates = DecodeAll(output.WrittenMemory, options);
        Assert.True(updates.Count > 1);
        Assert.Equal(prefixes, updates.SelectMany(u => u.MpReach!.Value.ToList()).ToArray());
        Assert.All(updates, u => Assert.Equal(attributes, u.Attributes));
        Assert.All(updates, u => Assert.True(u.Nlri.IsEmpty));
        // RFC 7606 section 5.1: MP_REACH_NLRI is the first attribute (type code at body offset 4 + 1).
        var first = output.WrittenSpan;
        Assert.Equal((byte)AttributeTypeCode.MpReachNlri, first[19 + 4 + 1]);
    }

    [Fact]
    public void WithdrawalsAndEndOfRibForBothFamilies()
    {
        var options = new BgpSessionOptions { AddPath = AddPathFamilies.Ipv6Unicast };
        var builder = new UpdateBuilder(options);
        var output = new ArrayBufferWriter<byte>();
        var v4 = Ipv4Prefixes(2000);
        var v6 = Ipv6Prefixes(1500).Select(e => e with { PathId = 9 }).ToArray();
        builder.WriteWithdrawals(output, AfiSafi.Ipv4Unicast, v4);
        builder.WriteWithdrawals(output, AfiSafi.Ipv6Unicast, v6);
        builder.WriteEndOfRib(output, AfiSafi.Ipv4Unicast);
        builder.WriteEndOfRib(output, AfiSafi.Ipv6Unicast);
        var updates = DecodeAll(output.WrittenMemory, options);
        Assert.Equal(v4, updates.SelectMany(u => u.Withdrawn.ToList()).ToArray());
        Assert.Equal(v6, updates.Where(u => u.MpUnreach is { IsEmpty: false }).SelectMany(u => u.MpUnreach!.Value.ToList()).ToArray());
        Assert.True(updates[^2].IsEndOfRib(out var f4) && f4 == AfiSafi.Ipv4Unicast);
        Assert.True(updates[^1].IsEndOfRib(out var f6) && f6 == AfiSafi.Ipv6Unicast);
        Assert.Equal("ffffffffffffffffffffffffffffffff00170200000000", Hex.Of(BgpMessageWriter.ToBytes(updates[^2])));
        Assert.False(updates[0].IsEndOfRib(out _));
    }

    [Fact]
    public void Ipv4AnnouncementWithoutNextHopIsRejected()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentException>(() => new UpdateBuilder(BgpSessionOptions.Default).WriteAnnouncements(output, Ipv6Attributes(false), AfiSafi.Ipv4Unicast, Ipv4Prefixes(1)));
    }

    [Fact]
    public void AttributeSetTooLargeForAnyPrefixThrows()
    {
        var b = AttributeTableTests.Everything().ToBuilder();
        b.Communities.AddRange(Enumerable.Range(0, 1100).Select(i => new Community(1, (ushort)i)));
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<MessageTooLargeException>(() => new UpdateBuilder(BgpSessionOptions.Default).WriteAnnouncements(output, b.Build(), AfiSafi.Ipv4Unicast, Ipv4Prefixes(1)));
    }

    [Fact]
    public void WritesEveryByteItClaims()
    {
        // Output pre-filled with 0xFF: any byte the builder forgot would decode differently.
        var options = new BgpSessionOptions { FourOctetAs = true };
        var output = new PrefilledBufferWriter();
        new UpdateBuilder(options).WriteAnnouncements(output, AttributeTableTests.Everything(), AfiSafi.Ipv4Unicast, Ipv4Prefixes(10));
        var reference = new ArrayBufferWriter<byte>();
        new UpdateBuilder(options).WriteAnnouncements(reference, AttributeTableTests.Everything(), AfiSafi.Ipv4Unicast, Ipv4Prefixes(10));
        Assert.Equal(reference.WrittenSpan.ToArray(), output.Written.ToArray());
    }
}

/// <summary>An <see cref="IBufferWriter{T}"/> whose fresh memory is 0xFF.</summary>
internal sealed class PrefilledBufferWriter : IBufferWriter<byte>
{
    private byte[] _buffer = Filled(256);
    private int _written;

    private static byte[] Filled(int size)
    {
        var b = new byte[size];
        b.AsSpan().Fill(0xFF);
        return b;
    }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_buffer.Length - _written < Math.Max(sizeHint, 1))
        {
            var bigger = Filled(Math.Max(_buffer.Length * 2, _written + sizeHint));
            _buffer.AsSpan(0, _written).CopyTo(bigger);
            _buffer = bigger;
        }

        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
