using Tabby.Cni.Spec;
using Xunit;

namespace Tabby.Cni.Tests.Spec;

public sealed class CniArgsTests
{
    [Fact]
    public void Parses_kubernetes_keys()
    {
        var args = CniArgs.Parse("K8S_POD_NAMESPACE=kube-system;K8S_POD_NAME=coredns-1;K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_UID=u-1");

        Assert.True(args.IsKubernetesPod);
        Assert.Equal("kube-system", args.PodNamespace);
        Assert.Equal("coredns-1", args.PodName);
        Assert.Equal("u-1", args.PodUid);
    }

    [Fact]
    public void Unknown_keys_are_errors_unless_ignored()
    {
        var error = Assert.Throws<CniException>(() => CniArgs.Parse("K8S_POD_NAME=a;Color=blue"));
        Assert.Contains("Color", error.Message, StringComparison.Ordinal);
        Assert.Equal("blue", CniArgs.Parse("IgnoreUnknown=1;Color=blue").Get("Color"));
        Assert.Equal("blue", CniArgs.Parse("IgnoreUnknown=true;Color=blue").Get("Color"));
    }

    [Theory]
    [InlineData("novalue")]
    [InlineData("=x")]
    public void Malformed_pairs_are_errors(string text) =>
        Assert.Equal(CniErrorCode.InvalidEnvironment, Assert.Throws<CniException>(() => CniArgs.Parse(text)).Code);

    [Fact]
    public void Values_may_contain_equals_signs_and_empty_input_is_empty() 
    {
        Assert.Equal("a=b", CniArgs.Parse("IgnoreUnknown=1;X=a=b").Get("X"));
        Assert.Same(CniArgs.Empty, CniArgs.Parse(""));
        Assert.Null(CniArgs.Parse(null).PodName);
    }
}
