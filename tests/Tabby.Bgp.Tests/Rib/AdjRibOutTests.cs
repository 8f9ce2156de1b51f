using System.Buffers;
using Tabby.Bgp.Rib;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Messages;
using Tabby.Bgp.Wire.Nlri;
using static Tabby.Bgp.Tests.Rib.RibFixtures;

namespace Tabby.Bgp.Tests.Rib;

public sealed class AdjRibOutTests
{
    private static List<UpdateMessage> Decode(ArrayBufferWriter<byte> buffer, BgpSessionOptions options)
    {
        var result = new List<UpdateMessage>();
        var seq = new ReadOnlySequence<byte>(buffer.WrittenMemory);
        while (BgpFrameReader.TryRead(ref seq, options, out var frame))
            result.Add((UpdateMessage)BgpMessageDecoder.Decode(frame, options));
        return result;
    }

    [Fact]
    public void PrefixesSharingAnAttributeSetArePackedTogether()
    {
        var rib = new AdjRibOut();
        var a = Attributes();
        var b = Attributes(med: 7);
        for (int i = 0; i < 1000; i++) rib.Set(BgpPrefix.FromIpv4(0xC6120000u + ((uint)i << 8), 24), i % 2 == 0 ? a : b);
        var buffer = new ArrayBufferWriter<byte>();
        var options = BgpSessionOptions.Default with { FourOctetAs = true };
        int messages = rib.Flush(buffer, options);
        var updates = Decode(buffer, options);
        Assert.Equal(messages, updates.Count);
        Assert.InRange(messages, 2, 4); // 500 /24s of 4 bytes fit in one or two 4096-byte UPDATEs per set
        Assert.Equal(1000, updates.Sum(u => u.Nlri.Count));
        Assert.Equal(1000, rib.Count);

        // Unchanged state sends nothing; a withdrawal sends only that.
        rib.Set(BgpPrefix.FromIpv4(0xC6120000u, 24), a);
        Assert.Equal(0, rib.PendingCount);
        rib.Set(BgpPrefix.FromIpv4(0xC6120000u, 24), null);
        buffer.Clear();
        rib.Flush(buffer, options);
        var withdrawal = Assert.Single(Decode(buffer, options));
        Assert.Equal(1, withdrawal.Withdrawn.Count);
        Assert.Equal(999, rib.Count);
    }

    [Fact]
    public void WithdrawingSomethingNeverAdvertisedSendsNothing()
    {
        var rib = new AdjRibOut();
        rib.Set(BgpPrefix.Parse("198.51.100.0/24"), null);
        Assert.Equal(0, rib.PendingCount);
    }

    [Fact]
    public void AddPathSendAnnouncesEachIdentifierAndWithdrawsByIdentifier()
    {
        // RFC 7911 section 3: with ADD-PATH send negotiated every NLRI carries its path identifier.
        var options = BgpSessionOptions.Default with { FourOctetAs = true, AddPath = AddPathFamilies.Ipv4Unicast };
        var rib = new AdjRibOut();
        var prefix = BgpPrefix.Parse("198.51.100.0/24");
        var a = Attributes(nextHop: "192.0.2.1");
        var b = Attributes(nextHop: "192.0.2.2", med: 5);
        rib.SetPaths(prefix, [new AdvertisedPath(3, a), new AdvertisedPath(8, b)]);
        var buffer = new ArrayBufferWriter<byte>();
        rib.Flush(buffer, options);
        var announced = Decode(buffer, options).SelectMany(u => u.Nlri.ToList()).ToList();
        Assert.Equal([3u, 8u], announced.Select(e => e.PathId).Order().ToArray());
        Assert.All(announced, e => Assert.Equal(prefix, e.Prefix));
        Assert.Equal(1, rib.Count);
        Assert.Equal(2, rib.AdvertisedPaths(prefix).Count);

        // The same set again sends nothing.
        rib.SetPaths(prefix, [new AdvertisedPath(8, b), new AdvertisedPath(3, a)]);
        Assert.Equal(0, rib.PendingCount);

        // Path 3 goes, path 8 changes, path 9 is new: one withdrawal by id, two announcements.
        var c = Attributes(nextHop: "192.0.2.3");
        rib.SetPaths(prefix, [new AdvertisedPath(8, c), new AdvertisedPath(9, a)]);
        buffer.Clear();
        rib.Flush(buffer, options);
        var updates = Decode(buffer, options);
        Assert.Equal([3u], updates.SelectMany(u => u.Withdrawn.ToList()).Select(e => e.PathId).ToArray());
        Assert.Equal([8u, 9u], updates.SelectMany(u => u.Nlri.ToList()).Select(e => e.PathId).Order().ToArray());
        Assert.Same(c, rib.AdvertisedPaths(prefix).Single(p => p.PathId == 8).Attributes);

        // Nothing any more: every identifier is withdrawn.
        rib.Set(prefix, null);
        buffer.Clear();
        rib.Flush(buffer, options);
        Assert.Equal([8u, 9u], Decode(buffer, options).SelectMany(u => u.Withdrawn.ToList()).Select(e => e.PathId).Order().ToArray());
        Assert.Equal(0, rib.Count);
        Assert.Empty(rib.AdvertisedPaths(prefix));
    }

    [Fact]
    public void AddPathIdentifiersMustBeUniquePerPrefix()
    {
        var rib = new AdjRibOut();
        var a = Attributes();
        Assert.Throws<ArgumentException>(() => rib.SetPaths(BgpPrefix.Parse("198.51.100.0/24"), [new AdvertisedPath(1, a), new AdvertisedPath(1, a)]));
    }
}
