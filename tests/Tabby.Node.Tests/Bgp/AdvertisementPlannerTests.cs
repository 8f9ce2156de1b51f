using System.Net;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Node.Bgp;
using Xunit;

namespace Tabby.Node.Tests.Bgp;

public sealed class AdvertisementPlannerTests
{
    private static BGPConfiguration Default(BGPConfigurationSpec spec) => new() { Metadata = new ObjectMeta { Name = "default" }, Spec = spec };

    private static Service LocalService(string name, string clusterIp, string? lbIp = null, string policy = "Local") => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "shop" },
        Spec = new ServiceSpec { ClusterIP = clusterIp, ExternalTrafficPolicy = policy, Selector = new() { ["app"] = name } },
        Status = lbIp is null ? null : new ServiceStatus { LoadBalancer = new LoadBalancerStatus { Ingress = [new LoadBalancerIngress { Ip = lbIp }] } },
    };

    private static Pod PodOf(string app, string node) => new()
    {
        Metadata = new ObjectMeta { Name = app + "-1", Namespace = "shop", Labels = new() { ["app"] = app } },
        Spec = new PodSpec { NodeName = node },
        Status = new PodStatus { Phase = "Running" },
    };

    private static IReadOnlyList<Advertisement> Plan(BGPConfiguration? global, IReadOnlyList<Service>? services = null, IReadOnlyList<Pod>? pods = null,
        List<string>? problems = null, BGPConfiguration? forNode = null) =>
        AdvertisementPlanner.Plan(new AdvertisementInputs("node-a", [IPNetwork.Parse("198.18.0.0/26")], global, forNode, services ?? [], pods ?? []), problems ?? []);

    [Fact]
    public void BlocksAloneWithoutServiceRanges()
    {
        var advertisement = Assert.Single(Plan(null));
        Assert.Equal("198.18.0.0/26", advertisement.Prefix.ToString());
        Assert.Empty(advertisement.Attributes.Communities);
    }

    [Fact]
    public void ServiceRangesFromEveryNodeAndLocalServiceAddressesOnlyWhereAnEndpointRuns()
    {
        var global = Default(new BGPConfigurationSpec
        {
            ServiceClusterIPs = [new ServiceCidrBlock { Cidr = "198.51.100.0/24" }],
            ServiceLoadBalancerIPs = [new ServiceCidrBlock { Cidr = "203.0.113.0/24" }],
        });
        Service[] services =
        [
            LocalService("web", "198.51.100.10", lbIp: "203.0.113.10"),
            LocalService("db", "198.51.100.20"),
            LocalService("api", "198.51.100.30", policy: "Cluster"),
            LocalService("outside", "192.0.2.40"), // not inside a configured range
        ];
        Pod[] pods = [PodOf("web", "node-a"), PodOf("db", "node-b"), PodOf("api", "node-a"), PodOf("outside", "node-a")];

        var prefixes = Plan(global, services, pods).Select(a => a.Prefix.ToString()).ToList();

        Assert.Equal(["198.18.0.0/26", "198.51.100.0/24", "198.51.100.10/32", "203.0.113.0/24", "203.0.113.10/32"], prefixes);
    }

    [Fact]
    public void PrefixAdvertisementsTagCoveredPrefixesWithNamedAndLiteralCommunities()
    {
        var global = Default(new BGPConfigurationSpec
        {
            Communities = [new Tabby.Datastore.Resources.Calico.Community { Name = "pods", Value = "65000:100" }, new() { Name = "big", Value = "65000:1:2" }],
            PrefixAdvertisements =
            [
                new PrefixAdvertisement { Cidr = "198.18.0.0/16", Communities = ["pods", "big", "65000:200"] },
                new PrefixAdvertisement { Cidr = "198.18.0.0/28", Communities = ["65000:300"] }, // narrower than the block: not applied
            ],
        });

        var attributes = Assert.Single(Plan(global)).Attributes;

        Assert.Equal([new Tabby.Bgp.Wire.Attributes.Community(65000, 100), new Tabby.Bgp.Wire.Attributes.Community(65000, 200)], attributes.Communities);
        Assert.Equal([new LargeCommunity(65000, 1, 2)], attributes.LargeCommunities);
    }

    [Fact]
    public void NodeConfigurationOverridesTheCommunities()
    {
        var global = Default(new BGPConfigurationSpec { PrefixAdvertisements = [new PrefixAdvertisement { Cidr = "198.18.0.0/16", Communities = ["65000:1"] }] });
        var forNode = new BGPConfiguration
        {
            Metadata = new ObjectMeta { Name = "node.node-a" },
            Spec = new BGPConfigurationSpec { PrefixAdvertisements = [new PrefixAdvertisement { Cidr = "198.18.0.0/16", Communities = ["65000:2"] }] },
        };

        Assert.Equal([new Tabby.Bgp.Wire.Attributes.Community(65000, 2)], Assert.Single(Plan(global, forNode: forNode)).Attributes.Communities);
    }

    [Theory]
    [InlineData("65536:1")]
    [InlineData("no-such-name")]
    [InlineData("1:2:3:4")]
    public void BadCommunitiesAreReportedWithTheirField(string value)
    {
        var problems = new List<string>();
        var global = Default(new BGPConfigurationSpec { PrefixAdvertisements = [new PrefixAdvertisement { Cidr = "198.18.0.0/16", Communities = [value] }] });

        Assert.Single(Plan(global, problems: problems));
        Assert.Contains("prefixAdvertisements[0].communities", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void BadServiceRangeIsReported()
    {
        var problems = new List<string>();
        Plan(Default(new BGPConfigurationSpec { ServiceExternalIPs = [new ServiceCidrBlock { Cidr = "not-a-cidr" }] }), problems: problems);
        Assert.Contains("serviceExternalIPs[0].cidr", Assert.Single(problems), StringComparison.Ordinal);
    }
}
