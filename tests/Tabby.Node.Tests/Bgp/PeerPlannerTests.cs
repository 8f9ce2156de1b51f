using System.Net;
using Tabby.Bgp.Speaker;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Ipam.Pools;
using Tabby.Node.Bgp;
using Xunit;

namespace Tabby.Node.Tests.Bgp;

public sealed class PeerPlannerTests
{
    private static readonly PeerPlanner Planner = new(CalicoSelectorMatcher.Instance);

    private static CalicoNode Node(string name, string ipv4, uint? asNumber = null, string? clusterId = null, Dictionary<string, string>? labels = null, string? ipv6 = null) =>
        new()
        {
            Metadata = new ObjectMeta { Name = name, Labels = labels },
            Spec = new CalicoNodeSpec { Bgp = new NodeBgpSpec { IPv4Address = ipv4, IPv6Address = ipv6, AsNumber = asNumber, RouteReflectorClusterId = clusterId } },
        };

    private static BGPPeer Peer(string name, BGPPeerSpec spec) => new() { Metadata = new ObjectMeta { Name = name }, Spec = spec };

    private static BgpPlan Plan(string self, IReadOnlyList<CalicoNode> nodes, IReadOnlyList<BGPPeer>? peers = null, BGPConfiguration? global = null,
        Func<SecretKeySelector, string?>? secrets = null) =>
        Planner.Plan(new BgpInputs(self, nodes, global, null, peers ?? [], secrets ?? (_ => null)));

    private static readonly CalicoNode[] ThreeNodes =
    [
        Node("a", "192.0.2.1/24"), Node("b", "192.0.2.2/24"), Node("c", "192.0.2.3/24", asNumber: 65010),
    ];

    [Fact]
    public void FullMeshWithTheLowerAddressPassive()
    {
        var plan = Plan("b", ThreeNodes);

        Assert.Equal(PeerPlanner.DefaultAs, plan.LocalAs);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), plan.RouterId);
        Assert.Equal(["192.0.2.1", "192.0.2.3"], plan.Peers.Select(p => p.Config.Address.ToString()));
        Assert.All(plan.Peers, p => Assert.Equal(PeerType.NodeMesh, p.Type));
        Assert.False(plan.Peers[0].Config.Passive); // 192.0.2.1 is lower: we dial it
        Assert.True(plan.Peers[1].Config.Passive);  // 192.0.2.3 is higher: it dials us
        Assert.Equal(65010u, plan.Peers[1].Config.RemoteAs);
        Assert.Equal("node-to-node mesh", plan.Peers[0].TypeText);
    }

    [Fact]
    public void MeshOffLeavesOnlyBgpPeers()
    {
        var global = new BGPConfiguration { Metadata = new ObjectMeta { Name = "default" }, Spec = new BGPConfigurationSpec { NodeToNodeMeshEnabled = false, AsNumber = 65000 } };

        var plan = Plan("a", ThreeNodes, [Peer("tor", new BGPPeerSpec { PeerIP = "198.51.100.1:1179", AsNumber = 65100 })], global);

        var tor = Assert.Single(plan.Peers);
        Assert.Equal(65000u, plan.LocalAs);
        Assert.Equal(PeerType.GlobalPeer, tor.Type);
        Assert.Equal(1179, tor.Config.Port);
        Assert.Equal(65100u, tor.Config.RemoteAs);
        Assert.Equal("global", tor.TypeText);
    }

    [Fact]
    public void NodeSpecificAndSelectedPeersApplyOnlyWhereTheySelect()
    {
        var nodes = new[] { Node("a", "192.0.2.1/24", labels: new() { ["rack"] = "r1" }), Node("b", "192.0.2.2/24", labels: new() { ["rack"] = "r2" }) };
        var peers = new[]
        {
            Peer("only-b", new BGPPeerSpec { Node = "b", PeerIP = "198.51.100.2", AsNumber = 65100, KeepaliveTime = "10s", NextHopMode = "Self" }),
            Peer("rack1", new BGPPeerSpec { NodeSelector = "rack == 'r1'", PeerIP = "198.51.100.1", AsNumber = 65100 }),
        };

        var a = Plan("a", nodes, peers);
        var b = Plan("b", nodes, peers);

        Assert.Contains(a.Peers, p => p.Config.Address.ToString() == "198.51.100.1" && p.Type == PeerType.NodePeer);
        Assert.DoesNotContain(a.Peers, p => p.Config.Address.ToString() == "198.51.100.2");
        var onlyB = Assert.Single(b.Peers, p => p.Config.Address.ToString() == "198.51.100.2");
        Assert.Equal(TimeSpan.FromSeconds(10), onlyB.Config.KeepaliveTime);
        Assert.Equal(TimeSpan.FromSeconds(30), onlyB.Config.HoldTime);
        Assert.Equal(NextHopMode.Self, onlyB.Config.NextHopMode);
        Assert.Equal("node specific", onlyB.TypeText);
    }

    [Fact]
    public void RouteReflectorsLeaveTheMeshAndTakeSelectedNodesAsClients()
    {
        var nodes = new[]
        {
            Node("rr", "192.0.2.10/24", clusterId: "224.0.0.1", labels: new() { ["route-reflector"] = "true" }),
            Node("a", "192.0.2.1/24"), Node("b", "192.0.2.2/24"),
        };
        var global = new BGPConfiguration { Metadata = new ObjectMeta { Name = "default" }, Spec = new BGPConfigurationSpec { NodeToNodeMeshEnabled = false } };
        var peers = new[]
        {
            Peer("to-rr", new BGPPeerSpec { NodeSelector = "all()", PeerSelector = "route-reflector == 'true'" }),
            Peer("rr-to-all", new BGPPeerSpec { NodeSelector = "route-reflector == 'true'", PeerSelector = "all()" }),
        };

        var reflector = Plan("rr", nodes, peers, global);
        var client = Plan("a", nodes, peers, global);

        Assert.Equal(IPAddress.Parse("224.0.0.1"), reflector.ClusterId);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], reflector.Peers.Select(p => p.Config.Address.ToString()));
        Assert.All(reflector.Peers, p => Assert.True(p.Config.RouteReflectorClient));
        Assert.All(reflector.Peers, p => Assert.False(p.Config.Passive));
        var toReflector = Assert.Single(client.Peers);
        Assert.Equal("192.0.2.10", toReflector.Config.Address.ToString());
        Assert.False(toReflector.Config.RouteReflectorClient);
        Assert.Null(client.ClusterId);
    }

    [Fact]
    public void PasswordsComeFromSecretsAndProblemsAreReported()
    {
        var password = new BgpPassword { SecretKeyRef = new SecretKeySelector { Name = "bgp-secrets", Key = "tor" } };
        var peers = new[]
        {
            Peer("tor", new BGPPeerSpec { PeerIP = "198.51.100.1", AsNumber = 65100, Password = password }),
            Peer("broken", new BGPPeerSpec { PeerIP = "not-an-ip", AsNumber = 65100 }),
            Peer("no-as", new BGPPeerSpec { PeerIP = "198.51.100.9" }),
        };

        var plan = Plan("a", ThreeNodes, peers, secrets: r => r.Name == "bgp-secrets" && r.Key == "tor" ? "s3cret" : null);

        Assert.Equal("s3cret", plan.Peers.Single(p => p.Config.Address.ToString() == "198.51.100.1").Config.Password);
        Assert.Contains(plan.Problems, p => p.Contains("broken", StringComparison.Ordinal) && p.Contains("not-an-ip", StringComparison.Ordinal));
        Assert.Contains(plan.Problems, p => p.Contains("no-as", StringComparison.Ordinal) && p.Contains("asNumber", StringComparison.Ordinal));
    }

    [Fact]
    public void DualStackNodesMeshOverBothFamilies()
    {
        var nodes = new[] { Node("a", "192.0.2.1/24", ipv6: "2001:db8::1/64"), Node("b", "192.0.2.2/24", ipv6: "2001:db8::2/64") };

        var plan = Plan("a", nodes);

        Assert.Equal(["192.0.2.2", "2001:db8::2"], plan.Peers.Select(p => p.Config.Address.ToString()));
        Assert.Equal(IPAddress.Parse("2001:db8::1"), plan.Peers[1].Config.SourceAddress);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("2m", 120)]
    [InlineData("1m30s", 90)]
    [InlineData("1500ms", 1.5)]
    public void GoDurationsParse(string text, double seconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(seconds, value.TotalSeconds);
    }

    [Theory]
    [InlineData("90")]
    [InlineData("ten seconds")]
    [InlineData("")]
    public void BadDurationsDoNotParse(string text) => Assert.False(GoDuration.TryParse(text, out _));
}
