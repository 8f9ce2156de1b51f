using Tabby.Cni.Tests.Support;
using Tabby.Testing.Processes;
using Xunit;

namespace Tabby.Cni.Tests.Plugin;

/// <summary>The binary's contract with the runtime that needs no namespace: VERSION, errors for bad input.</summary>
public sealed class SpecTests
{
    [Fact]
    public async Task Version_lists_the_supported_versions()
    {
        var result = await RunAsync("VERSION", """{"cniVersion": "1.0.0"}""");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("""{"cniVersion":"1.0.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}""", result.StandardOutput.Trim());
    }

    [Theory]
    [InlineData("ADD", """{"cniVersion": "0.2.0", "name": "n"}""", 1)]
    [InlineData("ADD", """{"cniVersion": "1.0.0", "name": "n", """, 6)]
    [InlineData("ADD", """{"cniVersion": "1.0.0"}""", 7)]
    [InlineData("ADD", """{"cniVersion": "1.0.0", "name": "n", "ipam": {"type": "host-local"}}""", 2)]
    [InlineData("FROB", """{"cniVersion": "1.0.0", "name": "n"}""", 4)]
    [InlineData("CHECK", """{"cniVersion": "0.3.1", "name": "n"}""", 1)]
    [InlineData("STATUS", """{"cniVersion": "1.0.0", "name": "n"}""", 1)]
    public async Task Bad_input_gets_the_spec_error_code(string command, string config, int code)
    {
        var result = await RunAsync(command, config);

        Assert.Equal(1, result.ExitCode);
        var invocation = new CniInvocation(command, result.ExitCode, result.StandardOutput, result.StandardError, TimeSpan.Zero);
        Assert.Equal(code, invocation.ErrorCode);
        Assert.False(string.IsNullOrEmpty(invocation.Json().GetProperty("msg").GetString()));
    }

    private static Task<CommandResult> RunAsync(string command, string config) =>
        Command.RunAsync(CniLab.PluginPath, [], new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = "abc",
            ["CNI_NETNS"] = "/run/netns/none",
            ["CNI_IFNAME"] = "eth0",
        }, TimeSpan.FromSeconds(60), config);
}
