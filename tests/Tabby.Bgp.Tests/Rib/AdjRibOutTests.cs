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
}
