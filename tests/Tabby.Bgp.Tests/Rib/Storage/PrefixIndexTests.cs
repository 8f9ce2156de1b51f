using Tabby.Bgp.Rib.Storage;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Tests.Rib.Storage;

public sealed class PrefixIndexTests
{
    [Theory]
    [InlineData("198.51.100.0/24")]
    [InlineData("198.51.100.7/32")]
    [InlineData("0.0.0.0/0")]
    [InlineData("2001:db8::/32")]
    [InlineData("2001:db8::1/128")]
    [InlineData("::/0")]
    public void HandlesRoundTripToTheSamePrefix(string text)
    {
        var index = new PrefixIndex();
        var prefix = BgpPrefix.Parse(text);
        int handle = index.GetOrAdd(prefix, out bool added);
        Assert.True(added);
        Assert.Equal(prefix, index.PrefixOf(handle));
        Assert.Equal(prefix.Afi, PrefixIndex.AfiOf(handle));
        Assert.True(index.TryFind(prefix, out int found));
        Assert.Equal(handle, found);
    }

    [Fact]
    public void SameAddressWithDifferentLengthsAndFamiliesAreDifferentPrefixes()
    {
        var index = new PrefixIndex();
        int a = index.GetOrAdd(BgpPrefix.Parse("198.51.100.0/24"), out _);
        int b = index.GetOrAdd(BgpPrefix.Parse("198.51.100.0/25"), out _);
        int c = index.GetOrAdd(BgpPrefix.Parse("::/0"), out _);
        int d = index.GetOrAdd(BgpPrefix.Parse("0.0.0.0/0"), out _);
        Assert.Equal(4, new[] { a, b, c, d }.Distinct().Count());
        Assert.Equal(Afi.Ipv6, PrefixIndex.AfiOf(c));
        index.Remove(c);
        Assert.False(index.TryFind(BgpPrefix.Parse("::/0"), out _));
        Assert.True(index.TryFind(BgpPrefix.Parse("0.0.0.0/0"), out _));
    }
}
