using Tabby.Testing.Daemons;
using Xunit;
using Xunit.Abstractions;

namespace Tabby.Testing.Tests.Daemons;

public sealed class EtcdServerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task PutAndGetThroughTheJsonGateway()
    {
        await using var etcd = await EtcdServer.StartAsync(output);

        var first = await etcd.PutAsync("/tabby/smoke", "one");
        var second = await etcd.PutAsync("/tabby/smoke", "two");

        Assert.True(second > first, $"revision should grow: {first} then {second}");
        Assert.Equal("two", await etcd.GetAsync("/tabby/smoke"));
        Assert.Null(await etcd.GetAsync("/tabby/absent"));
        var viaCli = (await etcd.EtcdctlAsync("get", "/tabby/smoke", "--print-value-only")).EnsureSuccess();
        Assert.Equal("two", viaCli.StandardOutput.Trim());
    }
}
