using Tabby.Bgp.Policy;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Node.Bgp;
using Xunit;

namespace Tabby.Node.Tests.Bgp;

public sealed class BgpFilterCompilerTests
{
    private static BGPFilter Filter(string name, BGPFilterSpec spec) => new() { Metadata = new ObjectMeta { Name = name, ResourceVersion = "1" }, Spec = spec };

    private static PathAttributes Route(uint[]? path = null, Tabby.Bgp.Wire.Attributes.Community[]? communities = null)
    {
        var b = new PathAttributesBuilder { Origin = Origin.Igp, AsPath = path is null ? AsPath.Empty : AsPath.Sequence(path), NextHop = System.Net.IPAddress.Parse("192.0.2.9") };
        b.Communities.AddRange(communities ?? []);
        return b.Build();
    }

    private static RoutePolicy Export(params BGPFilterRule[] rules)
    {
        var problems = new List<string>();
        var compiled = BgpFilterCompiler.Compile([Filter("f", new BGPFilterSpec { ExportV4 = [.. rules] })], FilterDirection.Export, ebgpPeer: true, problems);
        Assert.Empty(problems);
        return new RoutePolicy(compiled, PolicyAction.Reject);
    }

    private static bool Exports(RoutePolicy policy, string prefix, PathAttributes? attributes = null, bool learned = true) =>
        policy.Apply(BgpPrefix.Parse(prefix), attributes ?? Route(), 64512, null, learned) is not null;

    [Theory]
    [InlineData("Equal", "198.51.100.0/24", true)]
    [InlineData("Equal", "198.51.100.0/25", false)]
    [InlineData("NotEqual", "198.51.100.0/24", false)]
    [InlineData("NotEqual", "203.0.113.0/24", true)]
    [InlineData("In", "198.51.100.64/26", true)]
    [InlineData("In", "203.0.113.0/24", false)]
    [InlineData("NotIn", "198.51.100.64/26", false)]
    [InlineData("NotIn", "203.0.113.0/24", true)]
    public void MatchOperatorsFollowCalico(string op, string prefix, bool accepted) =>
        Assert.Equal(accepted, Exports(Export(new BGPFilterRule { Action = "Accept", Cidr = "198.51.100.0/24", MatchOperator = op }), prefix));

    [Theory]
    [InlineData("198.51.100.0/26", false)]
    [InlineData("198.51.100.0/27", true)]
    [InlineData("198.51.100.0/28", true)]
    [InlineData("198.51.100.0/29", false)]
    public void PrefixLengthBoundsTheInOperator(string prefix, bool accepted) =>
        Assert.Equal(accepted, Exports(Export(new BGPFilterRule
        {
            Action = "Accept", Cidr = "198.51.100.0/24", MatchOperator = "In", PrefixLength = new BGPFilterPrefixLength { Min = 27, Max = 28 },
        }), prefix));

    [Fact]
    public void FirstMatchingRuleDecidesAcrossFiltersInOrder()
    {
        var problems = new List<string>();
        var rules = BgpFilterCompiler.Compile(
        [
            Filter("first", new BGPFilterSpec { ExportV4 = [new BGPFilterRule { Action = "Reject", Cidr = "198.51.100.128/25", MatchOperator = "In" }] }),
            Filter("second", new BGPFilterSpec { ExportV4 = [new BGPFilterRule { Action = "Accept", Cidr = "198.51.100.0/24", MatchOperator = "In" }] }),
        ], FilterDirection.Export, ebgpPeer: false, problems);
        var policy = new RoutePolicy(rules, PolicyAction.Reject);

        Assert.False(Exports(policy, "198.51.100.192/26"));
        Assert.True(Exports(policy, "198.51.100.0/26"));
    }

    [Fact]
    public void V4RulesDoNotTouchIpv6RoutesAndViceVersa()
    {
        var problems = new List<string>();
        var rules = BgpFilterCompiler.Compile(
            [Filter("f", new BGPFilterSpec { ExportV4 = [new BGPFilterRule { Action = "Reject" }], ExportV6 = [new BGPFilterRule { Action = "Accept", Cidr = "2001:db8::/32", MatchOperator = "In" }] })],
            FilterDirection.Export, ebgpPeer: true, problems);
        var policy = new RoutePolicy(rules, PolicyAction.Accept);

        Assert.False(Exports(policy, "198.51.100.0/24"));
        Assert.True(Exports(policy, "2001:db8:1::/48"));
        Assert.Equal(Afi.Ipv4, rules[0].Match.Family);
    }

    [Fact]
    public void PeerTypeLeavesRulesForTheOtherKindOfPeerOut()
    {
        var filter = Filter("f", new BGPFilterSpec { ImportV4 = [new BGPFilterRule { Action = "Reject", PeerType = "eBGP" }] });
        var problems = new List<string>();
        Assert.Single(BgpFilterCompiler.Compile([filter], FilterDirection.Import, ebgpPeer: true, problems));
        Assert.Empty(BgpFilterCompiler.Compile([filter], FilterDirection.Import, ebgpPeer: false, problems));
        Assert.Empty(problems);
    }

    [Fact]
    public void SourceRemotePeersMatchesOnlyLearnedRoutes()
    {
        var policy = Export(new BGPFilterRule { Action = "Accept", Source = "RemotePeers" });
        Assert.True(Exports(policy, "203.0.113.0/24", learned: true));
        Assert.False(Exports(policy, "203.0.113.0/24", learned: false));
    }

    [Fact]
    public void AsPathPrefixAndCommunityMatch()
    {
        var policy = Export(
            new BGPFilterRule { Action = "Accept", AsPathPrefix = [65001, 65002] },
            new BGPFilterRule { Action = "Accept", Communities = new BGPFilterCommunities { Values = ["65000:100"] } });

        Assert.True(Exports(policy, "203.0.113.0/24", Route([65001, 65002, 65003])));
        Assert.False(Exports(policy, "203.0.113.0/24", Route([65002, 65001])));
        Assert.True(Exports(policy, "203.0.113.0/24", Route(communities: [new Tabby.Bgp.Wire.Attributes.Community(65000, 100)])));
    }

    [Fact]
    public void OperationsAddCommunitiesAndPrependInOrder()
    {
        var policy = Export(new BGPFilterRule
        {
            Action = "Accept",
            Operations =
            [
                new BGPFilterOperation { AddCommunity = new BGPFilterCommunityValue { Value = "65000:7" } },
                new BGPFilterOperation { AddCommunity = new BGPFilterCommunityValue { Value = "65000:1:2" } },
                new BGPFilterOperation { PrependAsPath = new BGPFilterPrependAsPath { Prefix = [65010, 65011] } },
            ],
        });

        var result = policy.Apply(BgpPrefix.Parse("203.0.113.0/24"), Route([65001]), 64512, null)!;
        Assert.Contains(new Tabby.Bgp.Wire.Attributes.Community(65000, 7), result.Communities);
        Assert.Contains(new LargeCommunity(65000, 1, 2), result.LargeCommunities);
        Assert.Equal("65010 65011 65001", result.AsPath!.ToString());
    }

    [Theory]
    [InlineData("Allow", null, null, "action")]
    [InlineData("Accept", "198.51.100.0/24", "Within", "matchOperator")]
    [InlineData("Accept", "198.51.100.0/33", "In", "cidr")]
    [InlineData("Accept", "2001:db8::/32", "In", "cidr")]
    [InlineData("Accept", null, "In", "need a cidr")]
    public void MalformedRulesAreReportedWithTheirFieldAndLeftOut(string action, string? cidr, string? op, string expected)
    {
        var problems = new List<string>();
        var rules = BgpFilterCompiler.Compile([Filter("bad", new BGPFilterSpec { ExportV4 = [new BGPFilterRule { Action = action, Cidr = cidr, MatchOperator = op }] })],
            FilterDirection.Export, ebgpPeer: true, problems);

        Assert.Empty(rules);
        var problem = Assert.Single(problems);
        Assert.Contains("BGPFilter bad spec.exportV4[0]", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedPriorityIsReportedNotSilentlyIgnored()
    {
        var problems = new List<string>();
        var rules = BgpFilterCompiler.Compile([Filter("p", new BGPFilterSpec { ImportV4 = [new BGPFilterRule { Action = "Reject", Priority = 10 }] })],
            FilterDirection.Import, ebgpPeer: true, problems);
        Assert.Empty(rules);
        Assert.Contains("priority", Assert.Single(problems), StringComparison.Ordinal);
    }
}
