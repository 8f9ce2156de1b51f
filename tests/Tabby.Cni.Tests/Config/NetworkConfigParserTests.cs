using System.Net;
using System.Text;
using Tabby.Cni.Config;
using Tabby.Cni.Spec;
using Tabby.Datastore;
using Xunit;

namespace Tabby.Cni.Tests.Config;

public sealed class NetworkConfigParserTests
{
    private static NetworkConfig Parse(string json) => NetworkConfigParser.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Reads_a_calico_style_entry()
    {
        var config = Parse("""
            {"cniVersion": "0.3.1", "name": "k8s-pod-network", "type": "calico", "nodename": "n1", "mtu": "1440",
             "datastore_type": "kubernetes", "kubernetes": {"kubeconfig": "/etc/cni/net.d/calico-kubeconfig"},
             "ipam": {"type": "calico-ipam", "assign_ipv4": "true", "assign_ipv6": "true", "ipv4_pools": ["p1", "198.18.0.0/24"]},
             "policy": {"type": "k8s"}, "log_level": "info"}
            """);

        Assert.Equal("0.3.1", config.CniVersion);
        Assert.Equal("n1", config.NodeName);
        Assert.Equal(1440, config.Mtu);
        Assert.True(config.Ipam.AssignIPv6);
        Assert.Equal(["p1", "198.18.0.0/24"], config.Ipam.IPv4Pools);
        var settings = config.DatastoreSettings(new DatastoreSettings());
        Assert.Equal(DatastoreType.Kubernetes, settings.EffectiveType);
        Assert.Equal(["/etc/cni/net.d/calico-kubeconfig"], settings.KubeconfigPaths);
    }

    [Fact]
    public void Configuration_wins_over_the_environment_and_empty_values_do_not()
    {
        var fromEnvironment = new DatastoreSettings { EtcdEndpoints = [new Uri("http://127.0.0.1:2379")] };
        var config = Parse("""{"cniVersion": "1.0.0", "name": "n", "datastore_type": "embedded", "datastore_dir": "/tmp/x", "etcd_endpoints": "", "kubernetes": {"kubeconfig": ""}}""");

        var settings = config.DatastoreSettings(fromEnvironment);

        Assert.Equal(DatastoreType.Embedded, settings.EffectiveType);
        Assert.Equal("/tmp/x", settings.EmbeddedDirectory);
        Assert.Empty(settings.KubeconfigPaths);
    }

    [Fact]
    public void Reads_prev_result_runtime_ips_labels_and_valid_attachments()
    {
        var config = Parse("""
            {"cniVersion": "1.1.0", "name": "n",
             "prevResult": {"cniVersion": "1.0.0", "interfaces": [{"name": "eth0", "sandbox": "/run/netns/p"}], "ips": [{"address": "198.18.0.9/32", "interface": 0}]},
             "runtimeConfig": {"ips": ["198.18.0.20/24"]},
             "args": {"cni": {"ips": ["2001:db8::20"], "labels": [{"key": "app", "value": "web"}]}},
             "cni.dev/valid-attachments": [{"containerID": "c1", "ifname": "eth0"}]}
            """);

        Assert.Equal("198.18.0.9/32", config.PrevResult!.Ips.Single().Address.ToString());
        Assert.Equal([IPAddress.Parse("198.18.0.20"), IPAddress.Parse("2001:db8::20")], config.RequestedIps);
        Assert.Equal("web", config.Labels["app"]);
        Assert.Equal([("c1", "eth0")], config.ValidAttachments);
    }

    [Theory]
    [InlineData("""{"cniVersion": "0.2.0", "name": "n"}""", CniErrorCode.IncompatibleVersion, "cniVersion \"0.2.0\"")]
    [InlineData("""not json""", CniErrorCode.DecodingFailure, "not valid JSON")]
    [InlineData("""[1]""", CniErrorCode.DecodingFailure, "JSON object")]
    [InlineData("""{"name": "n"}""", CniErrorCode.InvalidNetworkConfig, "cniVersion is required")]
    [InlineData("""{"cniVersion": "1.0.0"}""", CniErrorCode.InvalidNetworkConfig, "name is required")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "mtu": 20}""", CniErrorCode.InvalidNetworkConfig, "mtu 20")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "mtu": "big"}""", CniErrorCode.InvalidNetworkConfig, "mtu must be an integer")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "ipam": {"type": "host-local"}}""", CniErrorCode.UnsupportedField, "ipam.type \"host-local\"")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "ipam": {"assign_ipv4": "false"}}""", CniErrorCode.InvalidNetworkConfig, "assigns no address")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "ipam": {"assign_ipv4": "maybe"}}""", CniErrorCode.InvalidNetworkConfig, "ipam.assign_ipv4")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "ipam": {"ipv4_pools": "p1"}}""", CniErrorCode.InvalidNetworkConfig, "ipam.ipv4_pools")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "runtimeConfig": {"ips": ["x"]}}""", CniErrorCode.InvalidNetworkConfig, "runtimeConfig.ips[0]")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "args": {"cni": {"labels": [{"key": ""}]}}}""", CniErrorCode.InvalidNetworkConfig, "args.cni.labels[0]")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "datastore_dir": 5}""", CniErrorCode.InvalidNetworkConfig, "datastore_dir must be a string")]
    [InlineData("""{"cniVersion": "1.0.0", "name": "n", "cni.dev/valid-attachments": [{}]}""", CniErrorCode.InvalidNetworkConfig, "cni.dev/valid-attachments[0].containerID")]
    public void Rejections_carry_the_spec_code_and_the_field(string json, CniErrorCode code, string message)
    {
        var error = Assert.Throws<CniException>(() => Parse(json));

        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_datastore_type_is_an_invalid_config()
    {
        var config = Parse("""{"cniVersion": "1.0.0", "name": "n", "datastore_type": "zookeeper"}""");

        var error = Assert.Throws<CniException>(() => config.DatastoreSettings(new DatastoreSettings()));
        Assert.Equal(CniErrorCode.InvalidNetworkConfig, error.Code);
        Assert.StartsWith("datastore_type", error.Message, StringComparison.Ordinal);
    }
}
