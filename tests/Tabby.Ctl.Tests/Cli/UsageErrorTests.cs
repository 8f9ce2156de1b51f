using Tabby.Ctl.Tests.Resources;
using Xunit;

namespace Tabby.Ctl.Tests.Cli;

public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("no-such-command")]
    [InlineData("bgp", "decode", "-o")]
    [InlineData("ipam", "show", "--show-blocks", "--unknown-flag")]
    public async Task CommandLinesThatDoNotParseExitTwoWithTheErrorOnStderr(params string[] args)
    {
        var (exit, output, error) = await CtlRunner.RunAsync(args);

        Assert.Equal(Program.UsageError, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error);
        Assert.Contains("tabbyctl --help", error);
    }
}
