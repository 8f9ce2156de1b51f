using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Tests.Wire.Nlri;

public class NlriCodecTests
{
    [Theory]
    [InlineData("18c63364 19cb007100", false, 2)]
    [InlineData("00000001 18c63364 00000002 18c63364", true, 2)]
    [InlineData("", false, 0)]
    public void CountsValidPrefixes(string hex, bool pathId, int count)
    {
        Assert.Equal(count, NlriCodec.Validate(Hex.Bytes(hex), Afi.Ipv4, pathId, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("21c0000201ff", false, "exceeds 32")]
    [InlineData("18c633", false, "needs 3 address bytes")]
    [InlineData("000000", true, "path identifier")]
    public void RejectsBadLengths(string hex, bool pathId, string message)
    {
        Assert.Equal(-1, NlriCodec.Validate(Hex.Bytes(hex), Afi.Ipv4, pathId, out var problem));
        Assert.Contains(message, problem);
    }

    [Fact]
    public void Ipv6LengthAbove128IsRejected()
    {
        Assert.Equal(-1, NlriCodec.Validate(Hex.Bytes("81" + new string('0', 34)), Afi.Ipv6, false, out _));
    }

    [Fact]
    public void SectionEnumeratesPathIds()
    {
        var section = new NlriSection(AfiSafi.Ipv4Unicast, true, Hex.Bytes("00000007 18c63364"), 1);
        var entry = Assert.Single(section.ToList());
        Assert.Equal((7u, "198.51.100.0/24"), (entry.PathId, entry.Prefix.ToString()));
    }
}
