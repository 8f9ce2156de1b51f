using Tabby.Bgp.Policy;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;
using static Tabby.Bgp.Tests.Rib.RibFixtures;

namespace Tabby.Bgp.Tests.Policy;

public sealed class RoutePolicyTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.1.0.0/16", false)]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", true)]
    [InlineData("10.0.0.0/8 le 24", "10.1.2.0/24", true)]
    [InlineData("10.0.0.0/8 le 24", "10.1.2.0/25", false)]
    [InlineData("10.0.0.0/8 ge 16 le 24", "10.0.0.0/8", false)]
    [InlineData("10.0.0.0/8 ge 16", "10.1.2.128/25", true)]
    [InlineData("10.0.0.0/8 ge 16", "11.1.0.0/16", false)]
    [InlineData("2001:db8::/32 ge 48 le 64", "2001:db8:1::/48", true)]
    [InlineData("2001:db8::/32 ge 48 le 64", "10.0.0.0/8", false)]
    public void PrefixMatchesHonourLengthRanges(string match, string prefix, bool expected) =>
        Assert.Equal(expected, PrefixMatch.Parse(match).Matches(BgpPrefix.Parse(prefix)));

    [Theory]
    [InlineData("10.0.0.0/8 ge 4")]
    [InlineData("10.0.0.0/8 le 33")]
    [InlineData("10.0.0.0/8 ge 24 le 16")]
    [InlineData("10.0.0.0/8 foo 16")]
    public void BadPrefixMatchesAreRejected(string text) => Assert.Throws<FormatException>(() => PrefixMatch.Parse(text));

    [Fact]
    public void FirstMatchingRuleDecidesAndModifies()
    {
        var policy = new RoutePolicy(
        [
            new PolicyRule(new PolicyMatch { Communities = [new Community(65000, 666)] }, PolicyAction.Reject),
            new PolicyRule(new PolicyMatch { Prefixes = [PrefixMatch.Parse("198.51.100.0/24 le 32")] },
                new PolicyAction { AddCommunities = [new Community(65000, 1)], SetLocalPreference = 300, Prepend = 2, SetMed = 9 }),
        ], PolicyAction.Reject);
        var interner = new AttributeSetInterner();
        var plain = Attributes(path: [65002]);
        var result = policy.Apply(BgpPrefix.Parse("198.51.100.0/25"), plain, 65000, interner)!;
        Assert.Equal("65000 65000 65002", result.AsPath!.ToString());
        Assert.Equal(300u, result.LocalPref);
        Assert.Equal(9u, result.MultiExitDisc);
        Assert.Contains(new Community(65000, 1), result.Communities);
        Assert.Same(result, policy.Apply(BgpPrefix.Parse("198.51.100.0/26"), plain, 65000, interner));

        Assert.Null(policy.Apply(BgpPrefix.Parse("203.0.113.0/24"), plain, 65000, interner));
        var tagged = plain.ToBuilder();
        tagged.Communities.Add(new Community(65000, 666));
        Assert.Null(policy.Apply(BgpPrefix.Parse("198.51.100.0/25"), tagged.Build(), 65000, interner));
    }

    [Fact]
    public void AcceptWithoutChangesKeepsTheSameInstance()
    {
        var a = Attributes();
        Assert.Same(a, RoutePolicy.AcceptAll.Apply(BgpPrefix.Parse("198.51.100.0/24"), a, 65000, null));
    }

    [Fact]
    public void PrependFillsTheLeadingSequence()
    {
        var path = AsPathEditing.Prepend(AsPath.Sequence(65002), 65001, 3);
        Assert.Equal("65001 65001 65001 65002", path.ToString());
        Assert.Equal(4, path.PathLength);
        Assert.Equal(3, AsPathEditing.Occurrences(path, 65001));
    }

    [Theory]
    [InlineData(new uint[] { 65002 }, true)]
    [InlineData(new uint[] { 65002, 65003 }, true)]
    [InlineData(new uint[] { 65003 }, false)]
    [InlineData(new uint[] { 65002, 65003, 65004, 65005 }, false)]
    public void AsPathPrefixMatchesTheLeadingAses(uint[] prefix, bool expected)
    {
        var policy = new RoutePolicy([new PolicyRule(new PolicyMatch { AsPathPrefix = prefix }, PolicyAction.Accept)], PolicyAction.Reject);
        var result = policy.Apply(BgpPrefix.Parse("198.51.100.0/24"), Attributes(path: [65002, 65003, 65004]), 65000, null);
        Assert.Equal(expected, result is not null);
    }

    [Fact]
    public void LearnedFromPeerSeparatesOriginatedFromLearnedRoutes()
    {
        var policy = new RoutePolicy([new PolicyRule(new PolicyMatch { LearnedFromPeer = true }, PolicyAction.Reject)], PolicyAction.Accept);
        var prefix = BgpPrefix.Parse("198.51.100.0/24");
        Assert.Null(policy.Apply(prefix, Attributes(), 65000, null));
        Assert.NotNull(policy.Apply(prefix, Attributes(), 65000, null, learnedFromPeer: false));
    }

    [Fact]
    public void PrependAsnsKeepsTheirOrderInFront()
    {
        var policy = new RoutePolicy([], new PolicyAction { PrependAsns = [65010, 65011] });
        var result = policy.Apply(BgpPrefix.Parse("198.51.100.0/24"), Attributes(path: [65002]), 65000, null)!;
        Assert.Equal("65010 65011 65002", result.AsPath!.ToString());
    }
}
