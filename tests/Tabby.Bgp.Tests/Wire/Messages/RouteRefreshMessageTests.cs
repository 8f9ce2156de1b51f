using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Tests.Wire.Messages;

public class RouteRefreshMessageTests
{
    [Theory]
    [InlineData("ffffffffffffffffffffffffffffffff 0017 05 0001 00 01", RouteRefreshSubtype.Request, "ipv4-unicast")]
    [InlineData("ffffffffffffffffffffffffffffffff 0017 05 0002 01 01", RouteRefreshSubtype.BeginningOfRouteRefresh, "ipv6-unicast")]
    [InlineData("ffffffffffffffffffffffffffffffff 0017 05 0002 02 01", RouteRefreshSubtype.EndOfRouteRefresh, "ipv6-unicast")]
    public void RoundTripsEverySubtype(string hex, RouteRefreshSubtype subtype, string family)
    {
        var bytes = Hex.Bytes(hex);
        var rr = Assert.IsType<RouteRefreshMessage>(BgpMessageDecoder.DecodeMessage(bytes, BgpSessionOptions.Default));
        Assert.Equal(subtype, rr.Subtype);
        Assert.Equal(family, rr.Family.ToString());
        Assert.True(rr.IsKnownSubtype);
        Assert.Equal(bytes, BgpMessageWriter.ToBytes(rr));
    }

    [Fact]
    public void UnknownSubtypeDecodesSoTheSpeakerCanIgnoreIt()
    {
        // RFC 7313 section 5: subtypes other than 0..2 are ignored, not an error.
        var rr = RouteRefreshMessage.Decode(Hex.Bytes("0001 07 01"));
        Assert.False(rr.IsKnownSubtype);
    }

    [Fact]
    public void WrongLengthIsInvalidMessageLengthWithTheWholeMessage()
    {
        var e = Assert.Throws<BgpProtocolException>(() => RouteRefreshMessage.Decode(Hex.Bytes("0001 00")));
        Assert.Equal((7, 1), (e.Error.Code, e.Error.Subcode));
        Assert.Equal("ffffffffffffffffffffffffffffffff00160500010" + "0", Hex.Of(e.Error.Data.Span));
    }
}
