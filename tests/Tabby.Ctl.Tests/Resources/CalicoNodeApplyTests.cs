using System.Text.Json.Nodes;
using Xunit;

namespace Tabby.Ctl.Tests.Resources;

/// <summary>
/// calicoctl's v3 Node on the Kubernetes datastore becomes projectcalico.org/* annotations on the
/// Kubernetes Node; on the other backends it is an object of its own. A List document applies its items.
/// </summary>
public sealed class CalicoNodeApplyTests(BackendFixture backends) : IClassFixture<BackendFixture>
{
    private const string NodeDocuments = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: projectcalico.org/v3
          kind: Node
          metadata:
            name: worker-1
            labels: {rack: r1}
          spec:
            bgp:
              ipv4Address: 192.0.2.11/24
              asNumber: 64512
              routeReflectorClusterID: 224.0.0.1
        """;

    [Theory]
    [InlineData("embedded")]
    [InlineData("etcd")]
    [InlineData("kubernetes")]
    public async Task Apply_and_get_calico_node(string backend)
    {
        if (backend == "kubernetes")
        {
            backends.Kube.Seed("v1", "nodes", JsonNode.Parse("""{"metadata":{"name":"worker-1"},"status":{"addresses":[{"type":"InternalIP","address":"192.0.2.11"}]}}""")!.AsObject());
        }

        var flags = backends.Flags(backend);
        var (exit, output, error) = await CtlRunner.RunAsync(["apply", "-f", backends.WriteFile("node.yaml", NodeDocuments), .. flags]);
        Assert.True(exit == 0, error);
        Assert.Equal(backend == "kubernetes" ? "node.crd.projectcalico.org/worker-1 configured" : "node.crd.projectcalico.org/worker-1 created", output.Trim());

        (exit, output, error) = await CtlRunner.RunAsync(["get", "nodes", "-o", "wide", .. flags]);
        Assert.True(exit == 0, error);
        var lines = output.Trim().Split('\n');
        Assert.Equal(["NAME", "ASN", "IPV4", "IPV6", "RR", "CLUSTER"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["worker-1", "64512", "192.0.2.11/24", "<none>", "224.0.0.1"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));

        if (backend == "kubernetes")
        {
            (exit, output, _) = await CtlRunner.RunAsync(["get", "kubenodes", "worker-1", "-o", "json", .. flags]);
            Assert.Equal(0, exit);
            var annotations = JsonNode.Parse(output)!["metadata"]!["annotations"]!;
            Assert.Equal("192.0.2.11/24", annotations["projectcalico.org/IPv4Address"]!.GetValue<string>());
            Assert.Equal("64512", annotations["projectcalico.org/ASNumber"]!.GetValue<string>());
        }
    }
}
