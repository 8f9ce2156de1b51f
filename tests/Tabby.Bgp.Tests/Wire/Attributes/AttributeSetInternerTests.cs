using System.Net;
using Tabby.Bgp.Wire.Attributes;

namespace Tabby.Bgp.Tests.Wire.Attributes;

public class AttributeSetInternerTests
{
    [Fact]
    public void EqualSetsShareOneInstance()
    {
        var interner = new AttributeSetInterner();
        var a = AttributeTableTests.Everything();
        var b = AttributeTableTests.Everything();
        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Same(interner.Intern(a), interner.Intern(b));
        Assert.Equal(1, interner.Count);
    }

    [Fact]
    public void DifferentSetsStayApartAndCanBeReleased()
    {
        var interner = new AttributeSetInterner();
        var a = interner.Intern(AttributeTableTests.Everything(IPAddress.Parse("192.0.2.1")));
        var b = interner.Intern(AttributeTableTests.Everything(IPAddress.Parse("192.0.2.2")));
        Assert.NotEqual(a, b);
        Assert.Equal(2, interner.Count);
        Assert.True(interner.Release(a));
        Assert.Equal(1, interner.Count);
    }

    [Fact]
    public void EveryFieldTakesPartInEquality()
    {
        var baseline = AttributeTableTests.Everything();
        var edits = new Action<PathAttributesBuilder>[]
        {
            b => b.Origin = Origin.Igp,
            b => b.AsPath = AsPath.Sequence(1),
            b => b.NextHop = IPAddress.Parse("192.0.2.99"),
            b => b.MultiExitDisc = 11,
            b => b.LocalPref = 201,
            b => b.AtomicAggregate = false,
            b => b.Aggregator = new Aggregator(1, 2),
            b => b.Communities.Add(new Community(1, 1)),
            b => b.OriginatorId = 1,
            b => b.ClusterList.Add(1),
            b => b.ExtendedCommunities.Clear(),
            b => b.LargeCommunities.RemoveAt(0),
            b => b.MpNextHop = IPAddress.Parse("2001:db8::1"),
            b => b.MpLinkLocalNextHop = IPAddress.Parse("fe80::1"),
            b => b.Unknown.Clear(),
        };
        foreach (var edit in edits)
        {
            var builder = baseline.ToBuilder();
            edit(builder);
            Assert.NotEqual(baseline, builder.Build());
        }

        Assert.Equal(baseline, baseline.ToBuilder().Build());
    }
}

public class AttributeEncodingCacheTests
{
    private static byte[] Body(string attributes, string nlri)
    {
        var a = Hex.Bytes(attributes);
        var n = Hex.Bytes(nlri);
        return [0, 0, (byte)(a.Length >> 8), (byte)a.Length, .. a, .. n];
    }

    [Fact]
    public void RepeatedAttributeBytesReuseTheSetWithoutDecoding()
    {
        var interner = new AttributeSetInterner();
        var options = new Tabby.Bgp.Wire.BgpSessionOptions();
        const string attrs = "40010100 4002040201fde9 400304c0000201 c00804fde80064";
        var first = Tabby.Bgp.Wire.Messages.UpdateDecoder.Decode(Body(attrs, "18c63364"), options, interner);
        var second = Tabby.Bgp.Wire.Messages.UpdateDecoder.Decode(Body(attrs, "18cb0071 18c63365"), options, interner);
        Assert.Same(first.Attributes, second.Attributes);
        Assert.Equal(2, second.Nlri.Count);
        Assert.Empty(second.Errors);
    }

    [Fact]
    public void CachedSetWithoutNextHopIsNotUsedForTheNlriField()
    {
        // First an MP-only UPDATE (no NEXT_HOP needed, RFC 4760 section 3), then the same
        // attributes with an IPv4 NLRI field: NEXT_HOP is now missing (treat-as-withdraw).
        var interner = new AttributeSetInterner();
        var options = new Tabby.Bgp.Wire.BgpSessionOptions();
        const string mpReach = "800e0d 0001 01 04 c0000201 00 18c63364";
        const string attrs = "40010100 4002040201fde9 " + mpReach;
        var first = Tabby.Bgp.Wire.Messages.UpdateDecoder.Decode(Body(attrs, ""), options, interner);
        Assert.Equal(Tabby.Bgp.Wire.Errors.ErrorHandling.None, first.Handling);
        var second = Tabby.Bgp.Wire.Messages.UpdateDecoder.Decode(Body(attrs, "18cb0071"), options, interner);
        Assert.True(second.IsTreatAsWithdraw);
    }
}
