using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Tests.Wire.Messages;

public class NotificationMessageTests
{
    [Theory]
    [InlineData("ffffffffffffffffffffffffffffffff 0015 03 0400", 4, 0, "Hold Timer Expired", "Unspecific")]
    [InlineData("ffffffffffffffffffffffffffffffff 0017 03 0102 0013", 1, 2, "Message Header Error", "Bad Message Length")]
    [InlineData("ffffffffffffffffffffffffffffffff 0017 03 0201 0004", 2, 1, "OPEN Message Error", "Unsupported Version Number")]
    [InlineData("ffffffffffffffffffffffffffffffff 0016 03 0303 01", 3, 3, "UPDATE Message Error", "Missing Well-known Attribute")]
    [InlineData("ffffffffffffffffffffffffffffffff 0016 03 0501 02", 5, 1, "Finite State Machine Error", "Receive Unexpected Message in OpenSent State")]
    [InlineData("ffffffffffffffffffffffffffffffff 0015 03 0606", 6, 6, "Cease", "Other Configuration Change")]
    [InlineData("ffffffffffffffffffffffffffffffff 0015 03 0609", 6, 9, "Cease", "Hard Reset")]
    [InlineData("ffffffffffffffffffffffffffffffff 0015 03 0701", 7, 1, "ROUTE-REFRESH Message Error", "Invalid Message Length")]
    public void DecodesAndNamesCodes(string hex, byte code, byte subcode, string codeName, string subcodeName)
    {
        var bytes = Hex.Bytes(hex);
        var n = Assert.IsType<NotificationMessage>(BgpMessageDecoder.DecodeMessage(bytes, BgpSessionOptions.Default));
        Assert.Equal((code, subcode, codeName, subcodeName), (n.Code, n.Subcode, n.CodeName, n.SubcodeName));
        Assert.Equal(bytes, BgpMessageWriter.ToBytes(n));
    }

    [Fact]
    public void EveryCeaseSubcodeOfRfc4486IsNamed()
    {
        string[] names = ["Maximum Number of Prefixes Reached", "Administrative Shutdown", "Peer De-configured", "Administrative Reset",
            "Connection Rejected", "Other Configuration Change", "Connection Collision Resolution", "Out of Resources"];
        for (byte s = 1; s <= 8; s++) Assert.Equal(names[s - 1], BgpErrorNames.SubcodeName(6, s));
    }

    [Fact]
    public void ShutdownCommunicationRoundTripsPerRfc9003()
    {
        var n = NotificationMessage.Cease(CeaseSubcode.AdministrativeShutdown, "maintenance: ticket 1234 ✓");
        var bytes = BgpMessageWriter.ToBytes(n);
        var decoded = (NotificationMessage)BgpMessageDecoder.DecodeMessage(bytes, BgpSessionOptions.Default);
        Assert.Equal("maintenance: ticket 1234 ✓", decoded.ShutdownCommunication);
        Assert.Equal(decoded.Data.Length - 1, decoded.Data.Span[0]);
    }

    [Fact]
    public void ShutdownCommunicationIsTruncatedAt255BytesOnACharacterBoundary()
    {
        var n = NotificationMessage.Cease(CeaseSubcode.AdministrativeReset, new string('é', 200)); // 400 bytes of UTF-8
        Assert.Equal(254, n.Data.Span[0]);
        Assert.Equal(127, n.ShutdownCommunication!.Length);
    }

    [Theory]
    [InlineData("0602 05 6869")] // length overruns the data
    [InlineData("0602 02 c328")] // invalid UTF-8
    public void InvalidShutdownCommunicationIsIgnoredNotFatal(string body)
    {
        var n = NotificationMessage.Decode(Hex.Bytes(body));
        Assert.Null(n.ShutdownCommunication);
        Assert.Equal((6, 2), (n.Code, n.Subcode));
    }

    [Fact]
    public void ErrorBecomesNotificationWithItsData()
    {
        var e = BgpError.BadMessageLength(5000, "too long");
        Assert.Equal("ffffffffffffffffffffffffffffffff00170301021388", Hex.Of(BgpMessageWriter.ToBytes(e.ToNotification())));
        Assert.Equal((5, 3), (BgpError.Fsm(FsmErrorSubcode.UnexpectedMessageInEstablished, 1, "OPEN").Code, BgpError.Fsm(FsmErrorSubcode.UnexpectedMessageInEstablished, 1, "OPEN").Subcode));
        Assert.Equal((4, 0), (BgpError.HoldTimerExpired().Code, BgpError.HoldTimerExpired().Subcode));
    }
}

public class CeaseHelpersTests
{
    [Fact]
    public void MaximumPrefixesCarriesFamilyAndLimit()
    {
        var n = NotificationMessage.MaximumPrefixesReached(AfiSafi.Ipv6Unicast, 1000);
        Assert.Equal((6, 1), (n.Code, n.Subcode));
        Assert.Equal("000201000003e8", Hex.Of(n.Data.Span));
    }
}
