using Tabby.Cni.Spec;
using Xunit;

namespace Tabby.Cni.Tests.Spec;

public sealed class CniEnvironmentTests
{
    private static CniEnvironment Read(Dictionary<string, string> values) => CniEnvironment.Read(name => values.GetValueOrDefault(name));

    private static Dictionary<string, string> Valid(string command = "ADD") => new()
    {
        ["CNI_COMMAND"] = command,
        ["CNI_CONTAINERID"] = "0123abc",
        ["CNI_NETNS"] = "/run/netns/x",
        ["CNI_IFNAME"] = "eth0",
        ["CNI_ARGS"] = "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-1;FOO=bar",
        ["CNI_PATH"] = "/opt/cni/bin:/usr/lib/cni",
    };

    [Fact]
    public void Reads_every_parameter()
    {
        var environment = Read(Valid());

        Assert.Equal(CniCommand.Add, environment.Command);
        Assert.Equal("0123abc", environment.ContainerId);
        Assert.Equal("default", environment.Args.PodNamespace);
        Assert.Equal("web-1", environment.Args.PodName);
        Assert.Equal(["/opt/cni/bin", "/usr/lib/cni"], environment.Path);
    }

    [Theory]
    [InlineData("CNI_COMMAND", null, "CNI_COMMAND is not set")]
    [InlineData("CNI_COMMAND", "RUN", "CNI_COMMAND \"RUN\"")]
    [InlineData("CNI_CONTAINERID", null, "CNI_CONTAINERID is required")]
    [InlineData("CNI_CONTAINERID", "-abc", "CNI_CONTAINERID \"-abc\"")]
    [InlineData("CNI_CONTAINERID", "a/b", "CNI_CONTAINERID \"a/b\"")]
    [InlineData("CNI_IFNAME", null, "CNI_IFNAME is required")]
    [InlineData("CNI_IFNAME", "averyveryverylongname", "CNI_IFNAME \"averyveryverylongname\"")]
    [InlineData("CNI_IFNAME", "eth 0", "CNI_IFNAME \"eth 0\"")]
    [InlineData("CNI_NETNS", null, "CNI_NETNS is required")]
    public void Rejects_missing_or_invalid_parameters_naming_them(string name, string? value, string message)
    {
        var values = Valid();
        if (value is null)
        {
            values.Remove(name);
        }
        else
        {
            values[name] = value;
        }

        var error = Assert.Throws<CniException>(() => Read(values));
        Assert.Equal(CniErrorCode.InvalidEnvironment, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Del_tolerates_an_empty_netns_and_version_needs_nothing()
    {
        var del = Valid("DEL");
        del.Remove("CNI_NETNS");
        Assert.Equal("", Read(del).NetNs);
        Assert.Equal(CniCommand.Version, Read(new() { ["CNI_COMMAND"] = "VERSION" }).Command);
        Assert.Equal(CniCommand.Gc, Read(new() { ["CNI_COMMAND"] = "GC" }).Command);
    }
}
