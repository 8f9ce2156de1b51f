using Tabby.Cni.Tests.Support;
using Tabby.Testing.Xunit;
using Xunit;
using Xunit.Abstractions;

namespace Tabby.Cni.Tests.Plugin;

/// <summary>ADD, CHECK and DEL of the built binary, run as a runtime runs it, against real namespaces.</summary>
public sealed class AddCheckDelTests(ITestOutputHelper output)
{
    [RootTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Add_plumbs_the_pod_check_passes_and_del_removes_everything(bool dualStack)
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        await lab.AddPoolAsync("v6", "2001:db8:1::/120", 122);
        using var node = lab.Node("node-a");
        using var pod = node.CreatePod("web-1");
        var config = node.Config(ipv6: dualStack);

        var add = (await node.AddAsync(pod, config)).EnsureSuccess();
        output.WriteLine($"ADD took {add.Elapsed.TotalMilliseconds:0} ms\n{add.Stdout}");
        var addresses = add.Addresses();
        Assert.Equal(dualStack ? 2 : 1, addresses.Count);
        Assert.StartsWith("198.18.0.", addresses[0]);
        var result = add.Json();
        Assert.Equal("1.0.0", result.GetProperty("cniVersion").GetString());
        var hostVeth = result.GetProperty("interfaces")[0].GetProperty("name").GetString()!;
        Assert.Equal("ee:ee:ee:ee:ee:ee", result.GetProperty("interfaces")[0].GetProperty("mac").GetString());
        Assert.Equal(pod.Netns.NamespacePath, result.GetProperty("interfaces")[1].GetProperty("sandbox").GetString());

        // Container side: /32 (and /128), default routes via the fixed gateways, pinned neighbours.
        var podAddresses = pod.Netns.Ip("addr", "show", "dev", "eth0").StandardOutput;
        Assert.Contains($"inet {addresses[0]}/32", podAddresses, StringComparison.Ordinal);
        Assert.Contains("mtu 1400", podAddresses, StringComparison.Ordinal);
        Assert.Contains("default via 169.254.1.1 dev eth0", pod.Netns.Ip("route").StandardOutput, StringComparison.Ordinal);
        Assert.Contains("169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee PERMANENT", pod.Netns.Ip("neigh").StandardOutput, StringComparison.Ordinal);

        // Host side: the veth with Calico's name and sysctls, a proto-80 /32 route to the pod.
        Assert.Equal([hostVeth], node.HostInterfaces());
        Assert.Matches("^cali[0-9a-f]{11}$", hostVeth);
        Assert.Contains($"{addresses[0]} dev {hostVeth} proto 80 scope link", node.Host.Ip("route").StandardOutput, StringComparison.Ordinal);
        Assert.Equal("1", node.Host.Exec("cat", $"/proc/sys/net/ipv4/conf/{hostVeth}/proxy_arp").StandardOutput.Trim());
        Assert.Equal("0", node.Host.Exec("cat", $"/proc/sys/net/ipv4/neigh/{hostVeth}/proxy_delay").StandardOutput.Trim());
        Assert.Equal("1", node.Host.Exec("cat", $"/proc/sys/net/ipv4/conf/{hostVeth}/route_localnet").StandardOutput.Trim());
        if (dualStack)
        {
            Assert.StartsWith("2001:db8:1::", addresses[1]);
            Assert.Contains($"inet6 {addresses[1]}/128", podAddresses, StringComparison.Ordinal);
            Assert.Contains("default via fe80::ecee:eeff:feee:eeee dev eth0", pod.Netns.Ip("-6", "route").StandardOutput, StringComparison.Ordinal);
            Assert.Contains($"{addresses[1]} dev {hostVeth} proto 80", node.Host.Ip("-6", "route").StandardOutput, StringComparison.Ordinal);
            Assert.Equal("1", node.Host.Exec("cat", $"/proc/sys/net/ipv6/conf/{hostVeth}/proxy_ndp").StandardOutput.Trim());
            Assert.Equal("0", node.Host.Exec("cat", $"/proc/sys/net/ipv6/conf/{hostVeth}/accept_ra").StandardOutput.Trim());
        }

        // The host reaches the pod through the route and the pod the host through its gateway.
        node.Host.AddAddress("lo", "192.0.2.1/32");
        Assert.True(node.Host.Ping(addresses[0]), "host -> pod");
        Assert.True(pod.Netns.Ping("192.0.2.1"), "pod -> host");

        // The workload endpoint is recorded for policy.
        var record = await lab.Store.GetAsync(Datastore.Resources.ResourceKinds.Pods, "web-1", "default");
        Assert.NotNull(record);
        Assert.Equal("node-a", record.Spec.NodeName);
        Assert.Equal(addresses, record.Status!.PodIPs!.Select(p => p.Ip));
        Assert.Equal(hostVeth, record.Metadata.Annotations!["cni.tabby.io/interface"]);
        Assert.Equal(pod.ContainerId, record.Metadata.Annotations!["cni.projectcalico.org/containerID"]);

        (await node.CheckAsync(pod, CniLab.WithPrevResult(config, add))).EnsureSuccess();

        var del = (await node.DelAsync(pod, config)).EnsureSuccess();
        Assert.Equal("", del.Stdout.Trim());
        Assert.Empty(node.HostInterfaces());
        Assert.Empty(CniNode.Links(pod.Netns));
        Assert.DoesNotContain("proto 80", node.Host.Ip("route").StandardOutput, StringComparison.Ordinal);
        Assert.Equal((0, 0), await lab.IpamUsageAsync());
        Assert.Null(await lab.Store.GetAsync(Datastore.Resources.ResourceKinds.Pods, "web-1", "default"));
    }

    [RootFact]
    public async Task Check_reports_a_missing_host_route()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        using var node = lab.Node("node-a");
        using var pod = node.CreatePod();
        var config = node.Config();
        var add = (await node.AddAsync(pod, config)).EnsureSuccess();
        var hostVeth = add.Json().GetProperty("interfaces")[0].GetProperty("name").GetString()!;
        node.Host.Ip("route", "del", $"{add.Addresses()[0]}/32", "dev", hostVeth, "proto", "80");

        var check = await node.CheckAsync(pod, CniLab.WithPrevResult(config, add));

        Assert.False(check.Succeeded);
        Assert.Equal(104, check.ErrorCode);
        Assert.Contains("host route", check.Json().GetProperty("details").GetString(), StringComparison.Ordinal);
        (await node.DelAsync(pod, config)).EnsureSuccess();
    }

    [RootFact]
    public async Task Add_retried_for_the_same_container_returns_the_same_addresses()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        using var node = lab.Node("node-a");
        using var pod = node.CreatePod();

        var first = (await node.AddAsync(pod)).EnsureSuccess();
        var second = (await node.AddAsync(pod)).EnsureSuccess();

        Assert.Equal(first.Addresses(), second.Addresses());
        Assert.Equal((1, 1), await lab.IpamUsageAsync());
        Assert.Single(node.HostInterfaces());
        (await node.DelAsync(pod)).EnsureSuccess();
        Assert.Equal((0, 0), await lab.IpamUsageAsync());
    }

    [RootTheory]
    [InlineData("0.3.1", true)]
    [InlineData("0.4.0", true)]
    [InlineData("1.1.0", false)]
    public async Task Result_has_the_shape_of_the_requested_version(string version, bool ipVersionField)
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        using var node = lab.Node("node-a");
        using var pod = node.CreatePod();
        var config = node.Config(version: version);

        var add = (await node.AddAsync(pod, config)).EnsureSuccess();

        var ip = add.Json().GetProperty("ips")[0];
        Assert.Equal(version, add.Json().GetProperty("cniVersion").GetString());
        Assert.Equal(ipVersionField, ip.TryGetProperty("version", out var v));
        if (ipVersionField)
        {
            Assert.Equal("4", v.GetString());
        }

        (await node.DelAsync(pod, config)).EnsureSuccess();
    }
}
