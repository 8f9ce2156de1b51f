using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Tests.Wire.Messages;

public class UpdateDecoderTests
{
    private static byte[] Body(string withdrawn, string attributes, string nlri)
    {
        var w = Hex.Bytes(withdrawn);
        var a = Hex.Bytes(attributes);
        var n = Hex.Bytes(nlri);
        return [(byte)(w.Length >> 8), (byte)w.Length, .. w, (byte)(a.Length >> 8), (byte)a.Length, .. a, .. n];
    }

    private const string Base = "40010100 4002040201fde9 400304c0000201";

    [Fact]
    public void DecodesRfcStyleIpv4Update()
    {
        var update = UpdateDecoder.Decode(Body("18cb0071", Base + " 80040400000064", "18c63364 19cb007180"), BgpSessionOptions.Default);
        Assert.Equal(["203.0.113.0/24"], update.Withdrawn.ToList().Select(e => e.Prefix.ToString()));
        Assert.Equal(["198.51.100.0/24", "203.0.113.128/25"], update.Nlri.ToList().Select(e => e.Prefix.ToString()));
        Assert.Equal(Origin.Igp, update.Attributes!.Origin);
        Assert.Equal("65001", update.Attributes.AsPath!.ToString());
        Assert.Equal(100u, update.Attributes.MultiExitDisc);
        Assert.Equal(ErrorHandling.None, update.Handling);
    }

    [Fact]
    public void TreatAsWithdrawKeepsThePrefixesToWithdraw()
    {
        // ORIGIN value 5 (RFC 7606 section 7.1): the NLRI are still reported so they can be withdrawn.
        var update = UpdateDecoder.Decode(Body("", "40010105 4002040201fde9 400304c0000201", "18c63364"), BgpSessionOptions.Default);
        Assert.True(update.IsTreatAsWithdraw);
        Assert.Null(update.Attributes);
        Assert.Equal(1, update.Nlri.Count);
        // Re-encoding a treat-as-withdraw UPDATE drops the announcement.
        Assert.Equal("ffffffffffffffffffffffffffffffff00170200000000", Hex.Of(BgpMessageWriter.ToBytes(update)));
    }

    [Fact]
    public void AttributeDiscardKeepsTheRest()
    {
        var update = UpdateDecoder.Decode(Body("", Base + " 40060101", "18c63364"), BgpSessionOptions.Default);
        Assert.Equal(ErrorHandling.AttributeDiscard, update.Handling);
        Assert.False(update.Attributes!.AtomicAggregate);
        Assert.Equal(Origin.Igp, update.Attributes.Origin);
    }

    [Fact]
    public void As4AttributesAreMergedOnTwoOctetSessions()
    {
        // AS_PATH 65001 AS_TRANS, AGGREGATOR AS_TRANS, AS4_PATH 4200000001, AS4_AGGREGATOR 4200000001.
        var attrs = "40010100 40020602 02fde95ba0 400304c0000201 c007065ba0c0000201 c0110602 01fa56ea01 c01208fa56ea01c0000201";
        var update = UpdateDecoder.Decode(Body("", attrs, "18c63364"), BgpSessionOptions.Default);
        Assert.Equal("65001 4200000001", update.Attributes!.AsPath!.ToString());
        Assert.Equal(new Aggregator(4200000001, 0xC0000201), update.Attributes.Aggregator);
    }

    [Fact]
    public void As4PathIsIgnoredWhenAggregatorIsARealTwoOctetAs()
    {
        // RFC 6793 section 4.2.3: AGGREGATOR not AS_TRANS means AS4_PATH/AS4_AGGREGATOR are ignored.
        var attrs = "40010100 40020602 02fde95ba0 400304c0000201 c00706fde9c0000201 c0110602 01fa56ea01";
        var update = UpdateDecoder.Decode(Body("", attrs, "18c63364"), BgpSessionOptions.Default);
        Assert.Equal("65001 23456", update.Attributes!.AsPath!.ToString());
    }

    [Fact]
    public void MpReachAndMpUnreachTogether()
    {
        var mpReach = "800e1c 0002 01 10 20010db8000000000000000000000001 00 3020010db80100";
        var mpUnreach = "800f0a 0002 01 3020010db80200";
        var update = UpdateDecoder.Decode(Body("", mpUnreach + " " + mpReach + " 40010100 40020402 01fde9", ""), BgpSessionOptions.Default);
        Assert.Equal("2001:db8:100::/48", update.MpReach!.Value.ToList().Single().Prefix.ToString());
        Assert.Equal("2001:db8:200::/48", update.MpUnreach!.Value.ToList().Single().Prefix.ToString());
        Assert.Equal("2001:db8::1", update.Attributes!.MpNextHop!.ToString());
        Assert.Null(update.Attributes.NextHop);
    }

    [Fact]
    public void UnsupportedFamilyIsKeptUndecoded()
    {
        // IPv4 multicast (SAFI 2): reported with its family, no prefixes enumerated.
        var mpReach = "800e0d 0001 02 04 c0000201 00 18e00000";
        var update = UpdateDecoder.Decode(Body("", mpReach + " 40010100 40020402 01fde9", ""), BgpSessionOptions.Default);
        Assert.Equal(new AfiSafi(Afi.Ipv4, Safi.Multicast), update.MpReach!.Value.Family);
        Assert.Empty(update.MpReach.Value.ToList());
    }

    [Fact]
    public void WithdrawOnlyUpdateNeedsNoAttributes()
    {
        var update = UpdateDecoder.Decode(Body("18c63364", "", ""), BgpSessionOptions.Default);
        Assert.Equal(ErrorHandling.None, update.Handling);
        Assert.Null(update.Attributes);
    }

    [Fact]
    public void DecodesWithoutAllocatingPerPrefix()
    {
        var prefixes = string.Concat(Enumerable.Range(0, 1000).Select(i => $"18c6{i >> 8:x2}{i & 0xFF:x2}"));
        var body = Body("", Base, prefixes);
        var interner = new AttributeSetInterner();
        UpdateDecoder.Decode(body, BgpSessionOptions.Default, interner); // warm up
        long Measure(int n)
        {
            var small = Body("", Base, prefixes[..(n * 8)]);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var update = UpdateDecoder.Decode(small, BgpSessionOptions.Default, interner);
            uint sum = 0;
            foreach (var entry in update.Nlri) sum += entry.Prefix.Ipv4Address;
            long after = GC.GetAllocatedBytesForCurrentThread();
            Assert.NotEqual(0u, sum);
            return after - before;
        }

        Measure(1);
        Assert.Equal(Measure(1), Measure(1000));
        _ = body;
    }
}

public class ExternalPeerTests
{
    [Fact]
    public void LocalPrefFromAnExternalPeerIsDiscardedAndNeverSentToOne()
    {
        var external = new BgpSessionOptions { ExternalPeer = true };
        byte[] attrs = Hex.Bytes("40010100 4002040201fde9 400304c0000201 40050400000064");
        byte[] body = [0, 0, 0, (byte)attrs.Length, .. attrs, .. Hex.Bytes("18c63364")];
        var update = UpdateDecoder.Decode(body, external);
        Assert.Equal(ErrorHandling.AttributeDiscard, update.Handling);
        Assert.Null(update.Attributes!.LocalPref);
        var internalUpdate = UpdateDecoder.Decode(body, BgpSessionOptions.Default);
        Assert.Equal(100u, internalUpdate.Attributes!.LocalPref);
        Assert.DoesNotContain("40050400000064", Hex.Of(BgpMessageWriter.ToBytes(internalUpdate, external)));
        Assert.Contains("40050400000064", Hex.Of(BgpMessageWriter.ToBytes(internalUpdate, BgpSessionOptions.Default)));
    }
}
