using System.Text.Json;
using System.Text.Json.Nodes;
using Tabby.Cni.Tests.Support;
using Tabby.Testing.KubeApi;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Cni.Tests.Plugin;

/// <summary>
/// The plugin against a Kubernetes API (the emulator from Tabby.Testing, listening inside the node's
/// namespace, where the plugin runs): pod annotations choose addresses, the pod is annotated back,
/// IPAM state lives in the API's CRDs, and a pod the API does not know is "container unknown".
/// </summary>
public sealed class KubernetesModeTests
{
    private const string Token = "cni-token";

    [RootFact]
    public async Task Pod_annotations_from_the_api_choose_the_address_and_the_pod_is_annotated_back()
    {
        await using var lab = CniLab.Create();
        using var node = lab.Node("node-k");
        // Started on a thread inside the node's namespace so its listening socket lives there.
        await using var api = node.Host.Invoke(() => KubeApiServer.StartAsync().GetAwaiter().GetResult());
        api.RequiredBearerToken = Token;
        api.Seed("crd.projectcalico.org/v1", "ippools", Object("IPPool", "pool-a", null, new JsonObject { ["cidr"] = "198.18.0.0/24", ["blockSize"] = 26 }));
        api.Seed("crd.projectcalico.org/v1", "ippools", Object("IPPool", "pool-b", null, new JsonObject { ["cidr"] = "198.18.1.0/24", ["blockSize"] = 26 }));
        api.Seed("v1", "namespaces", Object("Namespace", "shop", null, null));
        var pod = Object("Pod", "cart-1", "shop", new JsonObject { ["nodeName"] = "node-k" });
        pod["metadata"]!["annotations"] = new JsonObject { ["cni.projectcalico.org/ipv4pools"] = """["pool-b"]""" };
        api.Seed("v1", "pods", pod);
        var kubeconfig = Path.Combine(lab.StoreDirectory, "kubeconfig");
        Directory.CreateDirectory(lab.StoreDirectory);
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: {api.Url}
            users:
            - name: cni
              user:
                token: {Token}
            contexts:
            - name: cni
              context:
                cluster: emulator
                user: cni
            current-context: cni
            """);
        var config = node.Config(extra: JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["datastore_type"] = "kubernetes",
            ["kubernetes"] = new Dictionary<string, string> { ["kubeconfig"] = kubeconfig },
        }));
        using var sandbox = node.CreatePod("cart-1", "shop");

        var add = (await node.AddAsync(sandbox, config)).EnsureSuccess();

        var address = add.Addresses().Single();
        Assert.StartsWith("198.18.1.", address);
        var stored = JsonNode.Parse(node.Host.Exec("curl", "-sf", "-H", $"Authorization: Bearer {Token}", $"{api.Url}api/v1/namespaces/shop/pods/cart-1").StandardOutput)!;
        var annotations = stored["metadata"]!["annotations"]!;
        Assert.Equal($"{address}/32", annotations["cni.projectcalico.org/podIP"]!.GetValue<string>());
        Assert.Equal(sandbox.ContainerId, annotations["cni.projectcalico.org/containerID"]!.GetValue<string>());
        Assert.Null(stored["status"]?["podIPs"]); // kubelet's to write, from the CNI result
        var handles = JsonNode.Parse(node.Host.Exec("curl", "-sf", "-H", $"Authorization: Bearer {Token}", $"{api.Url}apis/crd.projectcalico.org/v1/ipamhandles").StandardOutput)!;
        Assert.Single(handles["items"]!.AsArray());

        // A sandbox for a pod the API does not know: nothing allocated.
        using var stranger = node.CreatePod("ghost", "shop");
        var unknown = await node.AddAsync(stranger, config);
        Assert.Equal(3, unknown.ErrorCode);

        (await node.DelAsync(sandbox, config)).EnsureSuccess();
        (await node.DelAsync(stranger, config)).EnsureSuccess();
        handles = JsonNode.Parse(node.Host.Exec("curl", "-sf", "-H", $"Authorization: Bearer {Token}", $"{api.Url}apis/crd.projectcalico.org/v1/ipamhandles").StandardOutput)!;
        Assert.Empty(handles["items"]!.AsArray());
        Assert.Empty(node.HostInterfaces());
    }

    private static JsonObject Object(string kind, string name, string? ns, JsonObject? spec)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        var result = new JsonObject
        {
            ["apiVersion"] = kind is "IPPool" ? "crd.projectcalico.org/v1" : "v1",
            ["kind"] = kind,
            ["metadata"] = metadata,
        };
        if (spec is not null)
        {
            result["spec"] = spec;
        }

        return result;
    }
}
