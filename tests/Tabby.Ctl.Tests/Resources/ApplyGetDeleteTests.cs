using System.Text.Json;
using Xunit;

namespace Tabby.Ctl.Tests.Resources;

/// <summary>
/// tabbyctl apply/get/delete of calicoctl-style (projectcalico.org/v3) IPPool, BGPPeer and
/// BGPConfiguration documents on each backend: embedded, etcd (real server), Kubernetes (emulator).
/// </summary>
public sealed class ApplyGetDeleteTests(BackendFixture backends) : IClassFixture<BackendFixture>
{
    private const string CalicoctlDocuments = """
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: lab-pool
        spec:
          cidr: 198.18.0.0/16
          blockSize: 26
          ipipMode: Never
          vxlanMode: CrossSubnet
          natOutgoing: true
          nodeSelector: all()
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata:
          name: rack1-tor
        spec:
          peerIP: 192.0.2.1
          asNumber: 64513
          nodeSelector: rack == 'rack-1'
          password:
            secretKeyRef:
              name: bgp-secrets
              key: rr-password
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata:
          name: default
        spec:
          logSeverityScreen: Info
          nodeToNodeMeshEnabled: false
          asNumber: 64512
          serviceClusterIPs:
          - cidr: 198.51.100.0/24
          communities:
          - name: lab
            value: "64512:100"
          prefixAdvertisements:
          - cidr: 198.51.100.0/24
            communities: [lab, "64512:200"]
        """;

    [Theory]
    [InlineData("embedded")]
    [InlineData("etcd")]
    [InlineData("kubernetes")]
    public async Task Apply_get_and_delete_calicoctl_documents(string backend)
    {
        var flags = backends.Flags(backend);
        var file = backends.WriteFile("calico.yaml", CalicoctlDocuments);

        var (exit, output, error) = await CtlRunner.RunAsync(["apply", "-f", file, .. flags]);
        Assert.True(exit == 0, error);
        Assert.Equal("""
            ippool.crd.projectcalico.org/lab-pool created
            bgppeer.crd.projectcalico.org/rack1-tor created
            bgpconfiguration.crd.projectcalico.org/default created

            """.ReplaceLineEndings(), output.ReplaceLineEndings());

        // Applying the same documents again changes nothing; a changed one is updated in place.
        (exit, output, _) = await CtlRunner.RunAsync(["apply", "-f", file, .. flags]);
        Assert.Equal(0, exit);
        Assert.Equal(3, output.Split('\n').Count(l => l.EndsWith(" unchanged", StringComparison.Ordinal)));
        var changed = backends.WriteFile("pool.yaml", CalicoctlDocuments.Split("---")[0].Replace("natOutgoing: true", "natOutgoing: false", StringComparison.Ordinal));
        (exit, output, _) = await CtlRunner.RunAsync(["apply", "-f", changed, .. flags]);
        Assert.Equal((0, "ippool.crd.projectcalico.org/lab-pool configured"), (exit, output.Trim()));

        (exit, output, error) = await CtlRunner.RunAsync(["get", "ippools", .. flags]);
        Assert.True(exit == 0, error);
        var lines = output.Trim().Split('\n');
        Assert.StartsWith("NAME       CIDR            BLOCK SIZE   IPIP    VXLAN         NAT     DISABLED   AGE", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("lab-pool   198.18.0.0/16   26           Never   CrossSubnet   false   <none>", lines[1], StringComparison.Ordinal);

        (exit, output, _) = await CtlRunner.RunAsync(["get", "bgppeer", "rack1-tor", "-o", "json", .. flags]);
        Assert.Equal(0, exit);
        using (var peer = JsonDocument.Parse(output))
        {
            Assert.Equal("crd.projectcalico.org/v1", peer.RootElement.GetProperty("apiVersion").GetString());
            Assert.Equal(64513, peer.RootElement.GetProperty("spec").GetProperty("asNumber").GetInt32());
            Assert.Equal("rr-password", peer.RootElement.GetProperty("spec").GetProperty("password").GetProperty("secretKeyRef").GetProperty("key").GetString());
        }

        (exit, output, _) = await CtlRunner.RunAsync(["get", "bgpconfig", "default", "-o", "yaml", .. flags]);
        Assert.Equal(0, exit);
        Assert.Contains("kind: BGPConfiguration\n", output, StringComparison.Ordinal);
        Assert.Contains("  nodeToNodeMeshEnabled: false\n", output, StringComparison.Ordinal);
        Assert.Contains("    value: \"64512:100\"\n", output, StringComparison.Ordinal);

        (exit, output, _) = await CtlRunner.RunAsync(["delete", "-f", file, .. flags]);
        Assert.Equal(0, exit);
        Assert.Contains("ippool.crd.projectcalico.org \"lab-pool\" deleted", output, StringComparison.Ordinal);
        (exit, output, error) = await CtlRunner.RunAsync(["get", "ippool", "lab-pool", .. flags]);
        Assert.Equal(1, exit);
        Assert.Contains("ippools \"lab-pool\" not found", error, StringComparison.Ordinal);
        (exit, output, _) = await CtlRunner.RunAsync(["get", "ippools", .. flags]);
        Assert.Equal((0, "No resources found."), (exit, output.Trim()));
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("etcd")]
    [InlineData("kubernetes")]
    public async Task Delete_by_name_and_ignore_not_found(string backend)
    {
        var flags = backends.Flags(backend);
        var file = backends.WriteFile("peer.json", """
            {"apiVersion": "crd.projectcalico.org/v1", "kind": "BGPPeer", "metadata": {"name": "json-peer"},
             "spec": {"peerIP": "[2001:db8::1]:1179", "asNumber": "1.10"}}
            """);
        Assert.Equal(0, (await CtlRunner.RunAsync(["apply", "-f", file, .. flags])).Exit);
        var (exit, output, _) = await CtlRunner.RunAsync(["get", "bgppeers", "-o", "wide", .. flags]);
        Assert.Equal(0, exit);
        Assert.Contains("json-peer   [2001:db8::1]:1179   65546", output, StringComparison.Ordinal);
        Assert.Equal(0, (await CtlRunner.RunAsync(["delete", "bgppeer", "json-peer", .. flags])).Exit);
        Assert.Equal(1, (await CtlRunner.RunAsync(["delete", "bgppeer", "json-peer", .. flags])).Exit);
        Assert.Equal(0, (await CtlRunner.RunAsync(["delete", "bgppeer", "json-peer", "--ignore-not-found", .. flags])).Exit);
    }
}
