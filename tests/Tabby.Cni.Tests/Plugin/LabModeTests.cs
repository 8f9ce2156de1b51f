using System.Text.Json;
using Tabby.Cni.Tests.Support;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Testing.Xunit;
using Xunit;
using Xunit.Abstractions;

namespace Tabby.Cni.Tests.Plugin;

/// <summary>Without Kubernetes: CNI_ARGS and the configuration alone; and Calico's pod annotations when the pod exists in the store.</summary>
public sealed class LabModeTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task Container_without_pod_args_is_recorded_with_labels_from_the_configuration()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        using var node = lab.Node("node-a");
        using var pod = node.CreatePod(kubernetesArgs: false);
        var config = node.Config(extra: """{"args": {"cni": {"labels": [{"key": "app", "value": "db"}]}}}""");

        var add = (await node.AddAsync(pod, config)).EnsureSuccess();

        var name = "cni-" + pod.ContainerId;
        var record = await lab.Store.GetAsync(ResourceKinds.Pods, name, "default");
        Assert.NotNull(record);
        Assert.Equal("db", record.Metadata.Labels!["app"]);
        Assert.Equal(add.Addresses(), record.Status!.PodIPs!.Select(p => p.Ip));
        Assert.Equal(["cali" + pod.ContainerId[..11]], node.HostInterfaces());
        // What policy makes of the record: the endpoint with its labels, addresses and interface.
        var endpoint = Felix.Policy.Conversion.EndpointConverter.FromPod(record, record.Metadata.Annotations!["cni.tabby.io/interface"])!;
        Assert.Equal("db", endpoint.Labels["app"]);
        Assert.Equal(add.Addresses(), endpoint.Addresses.Select(a => a.ToString()));
        Assert.Equal("cali" + pod.ContainerId[..11], endpoint.InterfaceName);
        var attributes = (await lab.Store.ListAsync(ResourceKinds.IPAMBlocks)).Items.Single().Spec.Attributes.Single();
        Assert.Equal("k8s-pod-network." + pod.ContainerId, attributes.HandleId);
        Assert.Equal(name, attributes.Secondary!["pod"]);
        Assert.Equal("node-a", attributes.Secondary!["node"]);

        (await node.DelAsync(pod, config)).EnsureSuccess();
        Assert.Null(await lab.Store.GetAsync(ResourceKinds.Pods, name, "default"));
    }

    [RootFact]
    public async Task Without_an_mtu_in_the_configuration_the_agents_mtu_file_sets_it()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        using var node = lab.Node("node-a");
        using var pod = node.CreatePod();
        var mtuFile = Path.Combine(lab.StoreDirectory, "mtu");
        Felix.Mtu.MtuFile.Write(1410, mtuFile);
        var config = node.Config(mtu: null, extra: JsonSerializer.Serialize(new Dictionary<string, string> { ["mtu_file"] = mtuFile }));

        var add = (await node.AddAsync(pod, config)).EnsureSuccess();

        Assert.Equal(1410, add.Json().GetProperty("interfaces")[1].GetProperty("mtu").GetInt32());
        Assert.Contains("mtu 1410", pod.Netns.Ip("link", "show", "eth0").StandardOutput, StringComparison.Ordinal);
        Assert.Contains("mtu 1410", node.Host.Ip("link", "show").StandardOutput, StringComparison.Ordinal);
        (await node.DelAsync(pod, config)).EnsureSuccess();
    }

    [RootFact]
    public async Task Requested_address_from_CNI_ARGS_is_assigned()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        using var node = lab.Node("node-a");
        using var pod = node.CreatePod(kubernetesArgs: false);

        var add = (await node.InvokeAsync("ADD", node.Config(), pod.ContainerId, pod.Netns.NamespacePath, "eth0", "IP=198.18.0.77")).EnsureSuccess();

        Assert.Equal(["198.18.0.77"], add.Addresses());
        (await node.InvokeAsync("DEL", node.Config(), pod.ContainerId, pod.Netns.NamespacePath, "eth0", "IP=198.18.0.77")).EnsureSuccess();
        Assert.Equal((0, 0), await lab.IpamUsageAsync());
    }

    [RootFact]
    public async Task Calico_annotations_pin_the_address_or_choose_the_pool()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("default-pool", "198.18.0.0/24", 26);
        await lab.AddPoolAsync("special", "198.18.1.0/24", 26);
        using var node = lab.Node("node-a");
        using var pinned = node.CreatePod("pinned");
        using var pooled = node.CreatePod("pooled");
        await CreatePodAsync(lab, "pinned", new() { ["cni.projectcalico.org/ipAddrs"] = """["198.18.0.42"]""" }, new() { ["app"] = "web" });
        await CreatePodAsync(lab, "pooled", new() { ["cni.projectcalico.org/ipv4pools"] = """["special"]""" }, null);

        var first = (await node.AddAsync(pinned)).EnsureSuccess();
        var second = (await node.AddAsync(pooled)).EnsureSuccess();

        Assert.Equal(["198.18.0.42"], first.Addresses());
        Assert.StartsWith("198.18.1.", second.Addresses()[0]);
        // A pod that existed before keeps its labels, gains the addresses, and is not deleted on DEL.
        var record = await lab.Store.GetAsync(ResourceKinds.Pods, "pinned", "default");
        Assert.Equal("web", record!.Metadata.Labels!["app"]);
        Assert.Equal("198.18.0.42/32", record.Metadata.Annotations!["cni.projectcalico.org/podIP"]);
        (await node.DelAsync(pinned)).EnsureSuccess();
        (await node.DelAsync(pooled)).EnsureSuccess();
        record = await lab.Store.GetAsync(ResourceKinds.Pods, "pinned", "default");
        Assert.NotNull(record);
        Assert.False(record.Metadata.Annotations!.ContainsKey("cni.projectcalico.org/podIP"));
        Assert.Equal((0, 0), await lab.IpamUsageAsync());
    }

    [RootFact]
    public async Task Malformed_annotation_is_rejected_with_its_name()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        using var node = lab.Node("node-a");
        using var pod = node.CreatePod("bad");
        await CreatePodAsync(lab, "bad", new() { ["cni.projectcalico.org/ipAddrs"] = "198.18.0.1" }, null);

        var add = await node.AddAsync(pod);

        output.WriteLine(add.Stdout);
        Assert.Equal(7, add.ErrorCode);
        Assert.Contains("cni.projectcalico.org/ipAddrs", add.Json().GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal((0, 0), await lab.IpamUsageAsync());
    }

    [RootFact]
    public async Task Status_and_gc_of_spec_1_1()
    {
        await using var lab = CniLab.Create();
        using var node = lab.Node("node-a");
        var config = node.Config(version: "1.1.0");

        var status = await node.InvokeAsync("STATUS", config, null, null, "", null);
        Assert.Equal(50, status.ErrorCode);

        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        (await node.InvokeAsync("STATUS", config, null, null, "", null)).EnsureSuccess();

        using var kept = node.CreatePod();
        using var leaked = node.CreatePod();
        (await node.AddAsync(kept, config)).EnsureSuccess();
        (await node.AddAsync(leaked, config)).EnsureSuccess();
        var gcConfig = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["cniVersion"] = "1.1.0",
            ["name"] = "k8s-pod-network",
            ["nodename"] = "node-a",
            ["datastore_type"] = "embedded",
            ["datastore_dir"] = lab.StoreDirectory,
            ["cni.dev/valid-attachments"] = new[] { new Dictionary<string, string> { ["containerID"] = kept.ContainerId, ["ifname"] = "eth0" } },
        });

        (await node.InvokeAsync("GC", gcConfig, null, null, "", null)).EnsureSuccess();

        Assert.Equal((1, 1), await lab.IpamUsageAsync());
        (await node.DelAsync(kept, config)).EnsureSuccess();
        (await node.DelAsync(leaked, config)).EnsureSuccess();
        Assert.Equal((0, 0), await lab.IpamUsageAsync());
    }

    private static Task<Pod> CreatePodAsync(CniLab lab, string name, Dictionary<string, string> annotations, Dictionary<string, string>? labels) =>
        lab.Store.CreateAsync(ResourceKinds.Pods, new Pod
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default", Annotations = annotations, Labels = labels },
        });
}
