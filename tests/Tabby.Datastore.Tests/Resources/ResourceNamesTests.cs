using Tabby.Datastore.Resources;
using Xunit;

namespace Tabby.Datastore.Tests.Resources;

public sealed class ResourceNamesTests
{
    [Theory]
    [InlineData("10.148.158.64/26", "10-148-158-64-26")]
    [InlineData("fd00:10:244::/122", "fd00-10-244---122")]
    public void Block_names(string cidr, string name)
    {
        Assert.Equal(name, ResourceNames.BlockName(cidr));
        Assert.True(ResourceNames.TryParseDashedCidr(name, out var network));
        Assert.Equal(cidr, network.ToString());
    }

    [Fact]
    public void Affinity_names_and_long_hosts()
    {
        Assert.Equal("node-1-10-0-0-0-26", ResourceNames.AffinityName("node-1", "10.0.0.0/26"));
        var longHost = new string('a', 250);
        var name = ResourceNames.AffinityName(longHost, "10.0.0.0/26");
        Assert.True(name.Length <= 253);
        Assert.NotEqual(name, ResourceNames.AffinityName(longHost + "b", "10.0.0.0/26"));
    }

    [Theory]
    [InlineData("10-0-0-26")]
    [InlineData("node-10-0-0-0-26")]
    [InlineData("10-0-0-300-26")]
    public void Not_a_dashed_cidr(string text) => Assert.False(ResourceNames.TryParseDashedCidr(text, out _));

    [Fact]
    public void Kinds_are_found_by_command_line_names_and_api_versions()
    {
        Assert.Same(ResourceKinds.IPPools, ResourceKinds.FromCommandLineName("ippool"));
        Assert.Same(ResourceKinds.IPPools, ResourceKinds.FromCommandLineName("IPPools"));
        Assert.Same(ResourceKinds.BGPConfigurations, ResourceKinds.FromCommandLineName("bgpconfig"));
        Assert.Same(ResourceKinds.CalicoNodes, ResourceKinds.FromCommandLineName("node"));
        Assert.Same(ResourceKinds.IPAMConfigs, ResourceKinds.FromApiVersionAndKind("projectcalico.org/v3", "IPAMConfiguration"));
        Assert.Same(ResourceKinds.IPAMConfigs, ResourceKinds.FromApiVersionAndKind("crd.projectcalico.org/v1", "IPAMConfig"));
        Assert.Same(ResourceKinds.KubeNodes, ResourceKinds.FromApiVersionAndKind("v1", "Node"));
        Assert.Null(ResourceKinds.FromApiVersionAndKind("projectcalico.org/v3", "IPAMBlock"));
    }
}
