using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Tests.Wire.Messages;

public class KeepaliveMessageTests
{
    [Fact]
    public void IsTheBareHeader()
    {
        var bytes = BgpMessageWriter.ToBytes(KeepaliveMessage.Instance);
        Assert.Equal("ffffffffffffffffffffffffffffffff001304", Hex.Of(bytes));
        Assert.Same(KeepaliveMessage.Instance, BgpMessageDecoder.DecodeMessage(bytes, BgpSessionOptions.Default));
    }
}
