using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Capabilities;

namespace Tabby.Bgp.Tests.Wire.Capabilities;

public class CapabilityTableTests
{
    /// <summary>Exact TLVs (code, length, value) per each capability's RFC, decoded and re-encoded.</summary>
    [Theory]
    [InlineData("0104 00010001", typeof(MultiprotocolCapability), "multiprotocol ipv4-unicast")] // RFC 4760 section 8
    [InlineData("0104 00020001", typeof(MultiprotocolCapability), "multiprotocol ipv6-unicast")]
    [InlineData("0200", typeof(EmptyCapability), "route-refresh")] // RFC 2918 section 2
    [InlineData("8000", typeof(EmptyCapability), "route-refresh-old")]
    [InlineData("4600", typeof(EmptyCapability), "enhanced-route-refresh")] // RFC 7313 section 3
    [InlineData("0600", typeof(EmptyCapability), "extended-message")] // RFC 8654 section 3
    [InlineData("4104 fa56ea01", typeof(FourOctetAsCapability), "4-octet-as 4200000001")] // RFC 6793 section 3
    [InlineData("4006 c078 00010180", typeof(GracefulRestartCapability), "graceful-restart time 120 restarted notification [ipv4-unicast (forwarding)]")] // RFC 4724 section 3
    [InlineData("4502 0000", null, null)] // ADD-PATH length must be a multiple of 4 (see malformed test)
    [InlineData("4508 00010103 00020101", typeof(AddPathCapability), "add-path [ipv4-unicast send/receive, ipv6-unicast receive]")] // RFC 7911 section 4
    [InlineData("4909 0463617030 03636f6d", typeof(FqdnCapability), "fqdn cap0.com")]
    [InlineData("4707 00010100000e10", typeof(OpaqueCapability), "long-lived-graceful-restart 0x00010100000e10")]
    [InlineData("c803 010203", typeof(OpaqueCapability), "unknown-200 0x010203")]
    public void DecodesAndReencodesExactly(string hex, Type? type, string? text)
    {
        var bytes = Hex.Bytes(hex);
        var capability = CapabilityTable.Decode(bytes[0], bytes.AsSpan(2, bytes[1]));
        if (type is null)
        {
            Assert.Null(capability);
            return;
        }

        Assert.IsType(type, capability);
        Assert.Equal(text, capability!.ToString());
        Assert.Equal(Hex.Of(bytes), Hex.Of(capability.ToBytes()));
    }

    [Theory]
    [InlineData("0103 000100")]
    [InlineData("0201 00")]
    [InlineData("4103 000001")]
    [InlineData("4003 007800")]
    [InlineData("4504 00010100")] // mode 0
    [InlineData("4904 05616263")] // host length overruns
    public void MalformedKnownCapabilitiesAreRejected(string hex)
    {
        var bytes = Hex.Bytes(hex);
        Assert.Null(CapabilityTable.Decode(bytes[0], bytes.AsSpan(2, bytes[1])));
    }

    [Fact]
    public void AddPathModeLookup()
    {
        var cap = new AddPathCapability([new(AfiSafi.Ipv4Unicast, AddPathMode.Send)]);
        Assert.Equal(AddPathMode.Send, cap.ModeFor(AfiSafi.Ipv4Unicast));
        Assert.Equal(AddPathMode.None, cap.ModeFor(AfiSafi.Ipv6Unicast));
    }
}
