using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Tests.Wire.Nlri;

public class BgpPrefixTests
{
    [Theory]
    [InlineData("198.51.100.0/24", "18c63364")]
    [InlineData("0.0.0.0/0", "00")]
    [InlineData("203.0.113.128/25", "19cb007180")]
    [InlineData("192.0.2.1/32", "20c0000201")]
    [InlineData("2001:db8::/32", "2020010db8")]
    [InlineData("2001:db8:100::/48", "3020010db80100")]
    [InlineData("::/0", "00")]
    [InlineData("2001:db8::1/128", "8020010db8000000000000000000000001")]
    public void EncodesNlriPerRfc4271Section43(string text, string hex)
    {
        var prefix = BgpPrefix.Parse(text);
        var buffer = new byte[17];
        int n = prefix.WriteNlri(buffer);
        Assert.Equal(hex, Hex.Of(buffer.AsSpan(0, n)));
        Assert.Equal(text, prefix.ToString());
        int pos = 0;
        Assert.Equal(prefix, NlriCodec.ReadOne(buffer.AsSpan(0, n), ref pos, prefix.Afi, false).Prefix);
    }

    [Fact]
    public void HostBitsAreClearedSoEqualPrefixesCompareEqual()
    {
        // RFC 4271 section 4.3: trailing bits are irrelevant.
        var a = BgpPrefix.FromNlriBytes(Afi.Ipv4, 25, [203, 0, 113, 0xFF]);
        Assert.Equal(BgpPrefix.Parse("203.0.113.128/25"), a);
        var b = BgpPrefix.FromNlriBytes(Afi.Ipv6, 33, [0x20, 0x01, 0x0d, 0xb8, 0xFF]);
        Assert.Equal("2001:db8:8000::/33", b.ToString());
    }

    [Fact]
    public void ToIPNetworkMatches()
    {
        Assert.Equal(System.Net.IPNetwork.Parse("2001:db8::/32"), BgpPrefix.Parse("2001:db8::/32").ToIPNetwork());
    }
}
