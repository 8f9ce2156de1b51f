using System.Text;
using System.Text.Json;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Resources.Kubernetes;
using Xunit;

namespace Tabby.Datastore.Tests.Resources;

/// <summary>The JSON field names are Calico's and Kubernetes' exactly: documents written by Calico read back unchanged.</summary>
public sealed class CalicoJsonShapeTests
{
    [Fact]
    public void Ipam_block_as_calico_writes_it()
    {
        const string calico = """
            {"apiVersion":"crd.projectcalico.org/v1","kind":"IPAMBlock","metadata":{"name":"10-148-158-64-26","resourceVersion":"42"},
             "spec":{"cidr":"10.148.158.64/26","affinity":"host:node-1","allocations":[0,null,1],"unallocated":[2,1],
                     "attributes":[{"handle_id":"k8s-pod-network.abc","secondary":{"namespace":"default","node":"node-1","pod":"web","timestamp":"2026-11-21 06:00:00 +0000 UTC"}},
                                   {"handle_id":"ipip-tunnel-addr-node-1","secondary":{"node":"node-1","type":"ipipTunnelAddress"}}],
                     "sequenceNumber":9,"sequenceNumberForAllocation":{"0":3,"2":9},"deleted":false,"strictAffinity":false}}
            """;
        var block = ResourceKinds.IPAMBlocks.Deserialize(Encoding.UTF8.GetBytes(calico));
        Assert.Equal([0, null, 1], block.Spec.Allocations);
        Assert.Equal("k8s-pod-network.abc", block.Spec.Attributes[0].HandleId);
        Assert.Equal("ipipTunnelAddress", block.Spec.Attributes[1].Secondary!["type"]);
        Assert.Equal(9UL, block.Spec.SequenceNumberForAllocation!["2"]);

        using var written = JsonDocument.Parse(ResourceKinds.IPAMBlocks.Serialize(block));
        var spec = written.RootElement.GetProperty("spec");
        Assert.Equal("[0,null,1]", spec.GetProperty("allocations").GetRawText());
        Assert.Equal("k8s-pod-network.abc", spec.GetProperty("attributes")[0].GetProperty("handle_id").GetString());
        Assert.Equal(9, spec.GetProperty("sequenceNumber").GetInt64());
        Assert.True(spec.TryGetProperty("sequenceNumberForAllocation", out _));
        Assert.Equal("crd.projectcalico.org/v1", written.RootElement.GetProperty("apiVersion").GetString());
    }

    [Fact]
    public void Block_affinity_deleted_is_a_string()
    {
        var affinity = ResourceKinds.BlockAffinities.Deserialize(Encoding.UTF8.GetBytes(
            """{"metadata":{"name":"node-1-10-0-0-0-26"},"spec":{"state":"confirmed","node":"node-1","cidr":"10.0.0.0/26","deleted":"false"}}"""));
        Assert.False(affinity.Spec.IsDeleted);
        affinity.Spec.IsDeleted = true;
        using var written = JsonDocument.Parse(ResourceKinds.BlockAffinities.Serialize(affinity));
        Assert.Equal(JsonValueKind.String, written.RootElement.GetProperty("spec").GetProperty("deleted").ValueKind);
        Assert.Equal("true", written.RootElement.GetProperty("spec").GetProperty("deleted").GetString());
    }

    [Fact]
    public void Field_names_of_pools_peers_and_nodes()
    {
        var pool = new IPPool { Metadata = new ObjectMeta { Name = "p" }, Spec = new IPPoolSpec { Cidr = "10.0.0.0/16", IpipMode = "Always", VxlanMode = "Never", DisableBgpExport = true, NatOutgoing = true, AllowedUses = ["Workload"] } };
        var json = Encoding.UTF8.GetString(ResourceKinds.IPPools.Serialize(pool));
        foreach (var field in new[] { "\"ipipMode\"", "\"vxlanMode\"", "\"disableBGPExport\"", "\"natOutgoing\"", "\"allowedUses\"" })
        {
            Assert.Contains(field, json, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        var peer = new BGPPeer { Metadata = new ObjectMeta { Name = "x" }, Spec = new BGPPeerSpec { PeerIP = "192.0.2.1", AsNumber = 65000, LocalAsNumber = 64512, NumAllowedLocalAsNumbers = 1 } };
        json = Encoding.UTF8.GetString(ResourceKinds.BGPPeers.Serialize(peer));
        Assert.Contains("\"peerIP\":\"192.0.2.1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"asNumber\":65000", json, StringComparison.Ordinal);
        Assert.Contains("\"localASNumber\":64512", json, StringComparison.Ordinal);
        Assert.Contains("\"numAllowedLocalASNumbers\":1", json, StringComparison.Ordinal);
        var node = new CalicoNode { Metadata = new ObjectMeta { Name = "n" }, Spec = new CalicoNodeSpec { Bgp = new NodeBgpSpec { IPv4Address = "192.0.2.10/24", IPv4IpipTunnelAddr = "10.0.0.1", RouteReflectorClusterId = "224.0.0.1" }, IPv4VxlanTunnelAddr = "10.0.0.2", VxlanTunnelMacAddr = "66:00:00:00:00:01" } };
        json = Encoding.UTF8.GetString(ResourceKinds.CalicoNodes.Serialize(node));
        foreach (var field in new[] { "\"ipv4Address\"", "\"ipv4IPIPTunnelAddr\"", "\"routeReflectorClusterID\"", "\"ipv4VXLANTunnelAddr\"", "\"vxlanTunnelMACAddr\"" })
        {
            Assert.Contains(field, json, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("64512", 64512u)]
    [InlineData("\"64512\"", 64512u)]
    [InlineData("\"1.10\"", 65546u)]
    [InlineData("4294967295", 4294967295u)]
    public void As_numbers_in_plain_and_asdot(string json, uint expected)
    {
        var peer = ResourceKinds.BGPPeers.Deserialize(Encoding.UTF8.GetBytes("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"asNumber\":" + json + "}}"));
        Assert.Equal(expected, peer.Spec.AsNumber);
    }

    [Fact]
    public void Unknown_fields_survive_a_read_modify_write()
    {
        var pool = ResourceKinds.IPPools.Deserialize(Encoding.UTF8.GetBytes(
            """{"metadata":{"name":"p","managedFields":[{"manager":"kubectl"}]},"spec":{"cidr":"10.0.0.0/16","futureField":{"a":1}},"status":{"x":1}}"""));
        pool.Spec.Disabled = true;
        var json = Encoding.UTF8.GetString(ResourceKinds.IPPools.Serialize(pool));
        Assert.Contains("\"futureField\":{\"a\":1}", json, StringComparison.Ordinal);
        Assert.Contains("\"managedFields\"", json, StringComparison.Ordinal);
        Assert.Contains("\"status\":{\"x\":1}", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubernetes_objects()
    {
        var secret = ResourceKinds.Secrets.Deserialize(Encoding.UTF8.GetBytes(
            """{"metadata":{"name":"bgp","namespace":"kube-system"},"type":"Opaque","data":{"rr-password":"c2VjcmV0"}}"""));
        Assert.Equal("secret", secret.GetString("rr-password"));
        var policy = ResourceKinds.KubeNetworkPolicies.Deserialize(Encoding.UTF8.GetBytes(
            """{"metadata":{"name":"np","namespace":"default"},"spec":{"podSelector":{"matchLabels":{"app":"web"}},"ingress":[{"ports":[{"port":80},{"port":"http","protocol":"TCP"}]}]}}"""));
        Assert.Equal(80, policy.Spec.Ingress![0].Ports![0].Port!.Value.IntValue);
        Assert.Equal("http", policy.Spec.Ingress![0].Ports![1].Port!.Value.StringValue);
        Assert.Equal("networking.k8s.io/v1", ResourceKinds.KubeNetworkPolicies.ApiVersion);
        Assert.Equal("v1", ResourceKinds.Pods.ApiVersion);
    }
}
