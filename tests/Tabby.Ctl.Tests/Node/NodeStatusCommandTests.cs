using Tabby.Common.Status;
using Tabby.Ctl.Node;
using Tabby.Ctl.Tests.Resources;
using Xunit;

namespace Tabby.Ctl.Tests.Node;

public sealed class NodeStatusCommandTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 23, 30, 0, TimeSpan.Zero);

    [Fact]
    public void RendersCalicoctlsLayoutWithTheReasonWhenDown()
    {
        var status = new StatusDocument
        {
            Node = "node-a",
            Peers =
            [
                new StatusPeer("172.17.8.102", "node-to-node mesh", "up", new DateTimeOffset(2026, 11, 21, 23, 18, 20, TimeSpan.Zero), "Established", 1, 1),
                new StatusPeer("198.51.100.1", "global", "start", new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero),
                    "Active Socket: Connection refused", 0, 0),
            ],
        };

        var text = NodeStatusCommand.Render(status, Now);

        Assert.Equal("""
            Tabby process is running.

            IPv4 BGP status
            +--------------+-------------------+-------+------------+-----------------------------------+
            | PEER ADDRESS |     PEER TYPE     | STATE |   SINCE    |               INFO                |
            +--------------+-------------------+-------+------------+-----------------------------------+
            | 172.17.8.102 | node-to-node mesh | up    | 23:18:20   | Established                       |
            | 198.51.100.1 | global            | start | 2026-11-20 | Active Socket: Connection refused |
            +--------------+-------------------+-------+------------+-----------------------------------+

            IPv6 BGP status
            No IPv6 peers found.

            """.Replace("\r", "", StringComparison.Ordinal), text);
    }

    [Fact]
    public async Task ANodeThatIsNotRunningSaysSoAndExitsOne()
    {
        var (exit, output, error) = await CtlRunner.RunAsync("node", "status", "--socket", "/nonexistent/tabby.sock");

        Assert.Equal(1, exit);
        Assert.Equal("Tabby process is not running.\n", output);
        Assert.Contains("/nonexistent/tabby.sock", error);
    }
}
