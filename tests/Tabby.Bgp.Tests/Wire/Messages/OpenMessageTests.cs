using System.Net;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Capabilities;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Tests.Wire.Messages;

public class OpenMessageTests
{
    private static OpenMessage Sample(bool extended = false) => new(
        65001, 90, 0xC0000201,
        [
            new MultiprotocolCapability(AfiSafi.Ipv4Unicast),
            new MultiprotocolCapability(AfiSafi.Ipv6Unicast),
            EmptyCapability.RouteRefresh,
            EmptyCapability.EnhancedRouteRefresh,
            new FourOctetAsCapability(65001),
            new GracefulRestartCapability(true, true, 120, [new(AfiSafi.Ipv4Unicast, true), new(AfiSafi.Ipv6Unicast, false)]),
            new AddPathCapability([new(AfiSafi.Ipv4Unicast, AddPathMode.Both), new(AfiSafi.Ipv6Unicast, AddPathMode.Receive)]),
            EmptyCapability.ExtendedMessage,
            new FqdnCapability("node-1", "example.net"),
            new OpaqueCapability((byte)CapabilityCode.LongLivedGracefulRestart, Hex.Bytes("00010100000e10")),
            new OpaqueCapability(200, Hex.Bytes("0102")),
        ],
        extended);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RoundTripsEveryCapability(bool extendedParameters)
    {
        var bytes = BgpMessageWriter.ToBytes(Sample(extendedParameters));
        var decoded = Assert.IsType<OpenMessage>(BgpMessageDecoder.DecodeMessage(bytes, BgpSessionOptions.Default));
        Assert.Equal(extendedParameters, decoded.UseExtendedParameters);
        Assert.Equal(bytes, BgpMessageWriter.ToBytes(decoded));
        Assert.Equal(Sample().Capabilities.Select(c => Hex.Of(c.ToBytes())), decoded.Capabilities.Select(c => Hex.Of(c.ToBytes())));
        Assert.Equal(65001u, decoded.FourOctetAs);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), decoded.BgpIdentifierAddress);
        Assert.Equal(AddPathMode.Both, decoded.AddPathModeFor(AfiSafi.Ipv4Unicast));
        Assert.Equal([AfiSafi.Ipv4Unicast, AfiSafi.Ipv6Unicast], decoded.Families);
        Assert.False(((OpaqueCapability)decoded.Capabilities[^1]).IsKnown);
    }

    [Fact]
    public void ExtendedParametersLengthMatchesRfc9072Layout()
    {
        // RFC 9072 section 2: Non-Ext OP Len 255, Non-Ext OP Type 255, Extended Opt. Parm. Length,
        // then parameters with 2-byte lengths.
        var open = new OpenMessage(65001, 90, 0xC0000201, [new MultiprotocolCapability(AfiSafi.Ipv4Unicast)], useExtendedParameters: true);
        Assert.Equal("ffffffffffffffffffffffffffffffff" + "0029" + "01" + "04fde9005ac0000201" + "ff" + "ff" + "0009" + "02" + "0006" + "010400010001",
            Hex.Of(BgpMessageWriter.ToBytes(open)));
    }

    [Fact]
    public void LargeCapabilitySetSwitchesToExtendedParametersAutomatically()
    {
        var caps = Enumerable.Range(0, 60).Select(i => (Capability)new OpaqueCapability((byte)(150 + i % 50), new byte[3])).ToList();
        var open = new OpenMessage(65001, 90, 1, caps);
        var decoded = (OpenMessage)BgpMessageDecoder.DecodeMessage(BgpMessageWriter.ToBytes(open), BgpSessionOptions.Default);
        Assert.True(decoded.UseExtendedParameters);
        Assert.Equal(60, decoded.Capabilities.Count);
    }

    [Fact]
    public void DecodesRfcStyleOpenWithSeveralCapabilityParameters()
    {
        // Two Capabilities parameters (RFC 5492 section 4 allows one per capability).
        var body = Hex.Bytes("04 fde9 00b4 c0000201 10 02 06 01040001 0001 02 06 4104 0000fde9");
        var open = OpenMessage.Decode(body);
        Assert.Equal(180, open.HoldTimeSeconds);
        Assert.Equal(2, open.Capabilities.Count);
        Assert.Equal(65001u, open.AsNumber);
    }

    [Fact]
    public void CreateUsesAsTransForFourOctetAs()
    {
        var open = OpenMessage.Create(4200000001, 90, IPAddress.Parse("192.0.2.1"), [new FourOctetAsCapability(4200000001)]);
        Assert.Equal(BgpConstants.AsTrans, open.MyAs);
        Assert.Equal(4200000001u, open.AsNumber);
    }

    [Fact]
    public void SpeakerLevelOpenErrorsCarryTheRightCodes()
    {
        // Bad Peer AS and Unsupported Capability are raised by the speaker after comparing with
        // its configuration (RFC 4271 section 6.2, RFC 5492 section 5); the codec builds them.
        var badPeer = BgpError.BadPeerAs("peer AS 65002, configured 65003").ToNotification();
        Assert.Equal((2, 2), (badPeer.Code, badPeer.Subcode));
        var cap = new MultiprotocolCapability(AfiSafi.Ipv6Unicast).ToBytes();
        var unsupported = BgpError.UnsupportedCapability(cap, "peer lacks ipv6-unicast").ToNotification();
        Assert.Equal((2, 7), (unsupported.Code, unsupported.Subcode));
        Assert.Equal("0104 00020001".Replace(" ", ""), Hex.Of(unsupported.Data.Span));
        Assert.Equal("Unsupported Capability", unsupported.SubcodeName);
        Assert.Equal("Role Mismatch", BgpErrorNames.SubcodeName(2, 11));
    }

    [Fact]
    public void NegotiateDerivesPerDirectionAddPath()
    {
        var local = new OpenMessage(65001, 90, 1, [new FourOctetAsCapability(65001), new AddPathCapability([new(AfiSafi.Ipv4Unicast, AddPathMode.Receive), new(AfiSafi.Ipv6Unicast, AddPathMode.Send)])]);
        var remote = new OpenMessage(65002, 90, 2, [new FourOctetAsCapability(65002), new AddPathCapability([new(AfiSafi.Ipv4Unicast, AddPathMode.Both), new(AfiSafi.Ipv6Unicast, AddPathMode.Send)])]);
        var (receive, send) = BgpSessionOptions.Negotiate(local, remote);
        Assert.True(receive.FourOctetAs);
        Assert.Equal(AddPathFamilies.Ipv4Unicast, receive.AddPath);
        Assert.Equal(AddPathFamilies.None, send.AddPath); // the peer only sends on IPv6
        Assert.False(receive.ExtendedMessage);
    }
}
