using Tabby.Cni.Tests.Support;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Cni.Tests.Plugin;

/// <summary>DEL idempotency and failed ADDs: the runtime gets the spec's error JSON and nothing is left behind.</summary>
public sealed class FailureTests
{
    [RootFact]
    public async Task Del_twice_succeeds_both_times()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        using var node = lab.Node("node-a");
        using var pod = node.CreatePod();
        (await node.AddAsync(pod)).EnsureSuccess();

        (await node.DelAsync(pod)).EnsureSuccess();
        (await node.DelAsync(pod)).EnsureSuccess();

        Assert.Equal((0, 0), await lab.IpamUsageAsync());
        Assert.Empty(node.HostInterfaces());
    }

    [RootFact]
    public async Task Del_without_a_namespace_and_for_an_unknown_container_succeeds()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        using var node = lab.Node("node-a");
        using var pod = node.CreatePod();

        // The runtime may call DEL with an empty CNI_NETNS, or for a namespace already gone.
        (await node.DelAsync(pod, netns: "")).EnsureSuccess();
        (await node.DelAsync(pod, netns: "/run/netns/tabby-cni-no-such-namespace")).EnsureSuccess();
    }

    [RootFact]
    public async Task Failed_add_releases_its_address_and_del_after_it_succeeds()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        using var node = lab.Node("node-a");
        using var pod = node.CreatePod();
        // Something else already owns eth0 in the sandbox: the plumbing fails after IPAM assigned.
        pod.Netns.Ip("link", "add", "eth0", "type", "bridge");

        var add = await node.AddAsync(pod);

        Assert.False(add.Succeeded);
        Assert.Equal(103, add.ErrorCode);
        Assert.Contains("eth0 already exists", add.Json().GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal((0, 0), await lab.IpamUsageAsync());
        Assert.Empty(node.HostInterfaces());
        Assert.Equal(["eth0"], CniNode.Links(pod.Netns));

        (await node.DelAsync(pod)).EnsureSuccess();
        Assert.Equal(["eth0"], CniNode.Links(pod.Netns)); // not ours: left alone
        Assert.Equal((0, 0), await lab.IpamUsageAsync());
    }

    [RootFact]
    public async Task Add_with_an_exhausted_pool_returns_the_error_and_leaves_nothing()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("tiny", "198.19.0.0/30", 30);
        using var node = lab.Node("node-a");
        var pods = Enumerable.Range(0, 5).Select(_ => node.CreatePod()).ToList();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                (await node.AddAsync(pods[i])).EnsureSuccess();
            }

            var fifth = await node.AddAsync(pods[4]);

            Assert.Equal(1, fifth.ExitCode);
            Assert.Equal(101, fifth.ErrorCode);
            var error = fifth.Json();
            Assert.Equal("1.0.0", error.GetProperty("cniVersion").GetString());
            Assert.Contains("tiny", error.GetProperty("msg").GetString(), StringComparison.Ordinal);
            Assert.Empty(CniNode.Links(pods[4].Netns));
            Assert.Equal(4, node.HostInterfaces().Count);
            Assert.Equal((4, 4), await lab.IpamUsageAsync());

            // DEL after the failed ADD, as the runtime does, and everything else.
            foreach (var pod in pods)
            {
                (await node.DelAsync(pod)).EnsureSuccess();
            }

            Assert.Equal((0, 0), await lab.IpamUsageAsync());
            Assert.Empty(node.HostInterfaces());
        }
        finally
        {
            pods.ForEach(p => p.Dispose());
        }
    }

    [RootFact]
    public async Task Add_for_a_missing_namespace_is_container_unknown()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        using var node = lab.Node("node-a");

        var add = await node.InvokeAsync("ADD", node.Config(), "c0ffee", "/run/netns/tabby-cni-no-such-namespace", "eth0", "");

        Assert.Equal(3, add.ErrorCode);
        Assert.Equal((0, 0), await lab.IpamUsageAsync());
    }
}
