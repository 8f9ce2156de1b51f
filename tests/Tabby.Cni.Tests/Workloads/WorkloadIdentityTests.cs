using Tabby.Cni.Spec;
using Tabby.Cni.Workloads;
using Xunit;

namespace Tabby.Cni.Tests.Workloads;

public sealed class WorkloadIdentityTests
{
    private static CniEnvironment Environment(string args, string containerId = "4f3a9c0d1e2b3c4d5e6f") => CniEnvironment.Read(name => name switch
    {
        "CNI_COMMAND" => "ADD",
        "CNI_CONTAINERID" => containerId,
        "CNI_NETNS" => "/run/netns/p",
        "CNI_IFNAME" => "eth0",
        "CNI_ARGS" => args,
        _ => null,
    });

    [Theory]
    // sha1("default.web-1") = 0761ccbeace..., sha1("kube-system.coredns-abc") = 3d5d6ab04b5...
    [InlineData("default", "web-1", "cali0761ccbeace")]
    [InlineData("kube-system", "coredns-abc", "cali3d5d6ab04b5")]
    public void Host_veth_is_named_like_calico(string ns, string pod, string expected)
    {
        var identity = WorkloadIdentity.From(Environment($"K8S_POD_NAMESPACE={ns};K8S_POD_NAME={pod}"));

        Assert.Equal(expected, identity.HostVethName);
        Assert.Equal("k8s-pod-network.4f3a9c0d1e2b3c4d5e6f", identity.HandleId);
        Assert.True(identity.FromKubernetesArgs);
    }

    [Fact]
    public void Without_pod_args_the_container_is_the_workload()
    {
        var identity = WorkloadIdentity.From(Environment("", "Abc_DEF.123"));

        Assert.Equal("default", identity.Namespace);
        Assert.Equal("cni-abc-def.123", identity.PodName);
        Assert.Equal("caliAbc_DEF.123", identity.HostVethName);
        Assert.False(identity.FromKubernetesArgs);
    }

    [Fact]
    public void Half_of_the_pod_args_is_an_error() =>
        Assert.Equal(CniErrorCode.InvalidEnvironment, Assert.Throws<CniException>(() => WorkloadIdentity.From(Environment("K8S_POD_NAME=web"))).Code);
}
