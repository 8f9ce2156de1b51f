using Tabby.Ipam.Pools;
using Xunit;

namespace Tabby.Ipam.Tests.Pools;

public sealed class CalicoSelectorMatcherTests
{
    [Fact]
    public void PoolSelectorsUseCalicoSyntax()
    {
        var matcher = new CalicoSelectorMatcher();
        var labels = new Dictionary<string, string> { ["zone"] = "a", ["rack"] = "r1" };

        Assert.True(matcher.Matches(null, labels));
        Assert.True(matcher.Matches("", labels));
        Assert.True(matcher.Matches("all()", labels));
        Assert.True(matcher.Matches("global()", labels)); // nodes and namespaces are not namespaced
        Assert.True(matcher.Matches("zone == 'a' && has(rack)", labels));
        Assert.False(matcher.Matches("zone in {'b', 'c'}", labels));
        Assert.True(CalicoSelectorMatcher.Instance.Matches("rack != 'r2'", labels));
    }

    [Fact]
    public void AnInvalidSelectorIsARequestErrorThatSaysWhere()
    {
        var error = Assert.Throws<IpamRequestException>(() => new CalicoSelectorMatcher().Matches("zone ==", new Dictionary<string, string>()));
        Assert.Contains("IP pool selector \"zone ==\" is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("at position 7: expected a quoted string", error.Message, StringComparison.Ordinal);
    }
}
