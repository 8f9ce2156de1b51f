using System.Net;
using Tabby.Datastore;
using Tabby.Node.Configuration;
using Xunit;

namespace Tabby.Node.Tests.Configuration;

public sealed class NodeSettingsLoaderTests
{
    private static NodeSettings Load(params (string Key, string Value)[] values) =>
        NodeSettingsLoader.Load(values.ToDictionary(v => v.Key, v => (string?)v.Value));

    private static SettingsException Fails(params (string Key, string Value)[] values) =>
        Assert.Throws<SettingsException>(() => Load(values));

    [Fact]
    public void DefaultsFollowCalicoNode()
    {
        var settings = Load(("NODENAME", "worker-1"));

        Assert.Equal("worker-1", settings.NodeName);
        Assert.IsType<AutodetectionMethod.FirstFound>(settings.IPv4.Method);
        Assert.True(settings.IPv6.Disabled);
        Assert.Equal(NetworkingBackend.Bgp, settings.Backend);
        Assert.Equal(IPNetwork.Parse("192.168.0.0/16"), settings.DefaultIPv4Pool!.Cidr);
        Assert.Equal(26, settings.DefaultIPv4Pool.BlockSize);
        Assert.True(settings.DefaultIPv4Pool.NatOutgoing);
        Assert.Equal(9099, settings.HealthPort);
        Assert.Equal(DatastoreType.Embedded, settings.Datastore.EffectiveType);
    }

    [Fact]
    public void CalicoNodeVariablesAreRead()
    {
        var settings = Load(("NODENAME", "n1"), ("IP", "192.0.2.10/24"), ("IP6", "2001:db8::10"), ("AS", "64512"),
            ("CALICO_IPV4POOL_CIDR", "198.18.0.0/16"), ("CALICO_IPV4POOL_BLOCK_SIZE", "28"), ("CALICO_IPV4POOL_VXLAN", "CrossSubnet"),
            ("CALICO_IPV4POOL_NAT_OUTGOING", "false"), ("CALICO_IPV6POOL_CIDR", "2001:db8:1::/64"), ("CALICO_NETWORKING_BACKEND", "bird"),
            ("FELIX_LOGSEVERITYSCREEN", "debug"), ("ETCD_ENDPOINTS", "http://127.0.0.1:2379"));

        Assert.Equal(new NodeAddress(IPAddress.Parse("192.0.2.10"), 24), settings.IPv4.Fixed);
        Assert.Equal(IPNetwork.Parse("192.0.2.0/24"), settings.IPv4.Fixed!.Subnet);
        Assert.Equal(new NodeAddress(IPAddress.Parse("2001:db8::10"), 128), settings.IPv6.Fixed);
        Assert.Equal(64512u, settings.AsNumber);
        Assert.Equal(EncapsulationMode.CrossSubnet, settings.DefaultIPv4Pool!.Vxlan);
        Assert.Equal(28, settings.DefaultIPv4Pool.BlockSize);
        Assert.False(settings.DefaultIPv4Pool.NatOutgoing);
        Assert.Equal(122, settings.DefaultIPv6Pool!.BlockSize);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, settings.LogLevel);
        Assert.Equal(DatastoreType.Etcd, settings.Datastore.EffectiveType);
    }

    [Fact]
    public void AsdotNotationIsAccepted() => Assert.Equal(65546u, Load(("NODENAME", "n"), ("AS", "1.10")).AsNumber);

    [Theory]
    [InlineData("IP", "300.1.1.1", "IP")]
    [InlineData("IP", "2001:db8::1", "IP")]
    [InlineData("AS", "0", "AS")]
    [InlineData("AS", "4294967296", "AS")]
    [InlineData("IP_AUTODETECTION_METHOD", "interface=([", "IP_AUTODETECTION_METHOD")]
    [InlineData("IP_AUTODETECTION_METHOD", "guess", "IP_AUTODETECTION_METHOD")]
    [InlineData("CALICO_IPV4POOL_CIDR", "198.18.0.1/16", "CALICO_IPV4POOL_CIDR")]
    [InlineData("CALICO_IPV4POOL_BLOCK_SIZE", "33", "CALICO_IPV4POOL_BLOCK_SIZE")]
    [InlineData("CALICO_IPV4POOL_VXLAN", "sometimes", "CALICO_IPV4POOL_VXLAN")]
    [InlineData("FELIX_HEALTHPORT", "70000", "FELIX_HEALTHPORT")]
    [InlineData("CALICO_NETWORKING_BACKEND", "ospf", "CALICO_NETWORKING_BACKEND")]
    [InlineData("TABBY_LOG_LEVEL", "loud", "TABBY_LOG_LEVEL")]
    [InlineData("DATASTORE_TYPE", "zookeeper", "DATASTORE_TYPE")]
    [InlineData("CALICO_ROUTER_ID", "2001:db8::1", "CALICO_ROUTER_ID")]
    [InlineData("TABBY_NAMESPACE", "Tabby_System", "TABBY_NAMESPACE")]
    [InlineData("TABBY_POLICY_ENABLED", "maybe", "TABBY_POLICY_ENABLED")]
    public void ABadValueNamesItsSetting(string key, string value, string named)
    {
        var error = Fails(("NODENAME", "n"), (key, value));

        var problem = Assert.Single(error.Errors);
        Assert.Equal(named, problem.Setting);
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void EveryBadSettingIsReportedAtOnce()
    {
        var error = Fails(("NODENAME", "n"), ("AS", "x"), ("IP", "y"), ("CALICO_IPV4POOL_IPIP", "Always"), ("CALICO_IPV4POOL_VXLAN", "Always"));

        Assert.Equal(["AS", "CALICO_IPV4POOL_IPIP", "IP"], error.Errors.Select(e => e.Setting).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void BothFamiliesOffIsAnError() => Assert.Contains(Fails(("NODENAME", "n"), ("IP", "none"), ("IP6", "none")).Errors, e => e.Setting == "IP");

    [Fact]
    public void NoDefaultPoolsSkipsPoolCreation() => Assert.Null(Load(("NODENAME", "n"), ("NO_DEFAULT_POOLS", "true")).DefaultIPv4Pool);

    [Fact]
    public void ConfigFileIsReadAndTheEnvironmentWins()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "NODENAME: from-file\nAS: 65001\nIP: 192.0.2.5/24\n");
            var settings = NodeSettingsLoader.Load(new Dictionary<string, string?> { ["AS"] = "65002" }, file);
            Assert.Equal("from-file", settings.NodeName);
            Assert.Equal(65002u, settings.AsNumber);
            Assert.Equal(IPAddress.Parse("192.0.2.5"), settings.IPv4.Fixed!.Address);

            File.WriteAllText(file, "- not\n- a mapping\n");
            var error = Assert.Throws<SettingsException>(() => NodeSettingsLoader.Load(new Dictionary<string, string?>(), file));
            Assert.Equal("--config", error.Errors[0].Setting);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
