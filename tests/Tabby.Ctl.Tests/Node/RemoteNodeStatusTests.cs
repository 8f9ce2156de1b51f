using Tabby.Common.Status;
using Tabby.Ctl.Node;
using Tabby.Ctl.Tests.Resources;
using Tabby.Datastore.Embedded;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Xunit;

namespace Tabby.Ctl.Tests.Node;

/// <summary><c>tabbyctl node status/routes --node</c>: read from the CalicoNodeStatus an agent keeps up to date.</summary>
public sealed class RemoteNodeStatusTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tabbyctl-remote-" + Guid.NewGuid().ToString("N"));

    public RemoteNodeStatusTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task StoreAsync(DateTimeOffset lastUpdated)
    {
        await using var store = new EmbeddedDatastore(_directory);
        await store.CreateAsync(ResourceKinds.CalicoNodeStatuses, new CalicoNodeStatus
        {
            Metadata = new ObjectMeta { Name = "node-a-status" },
            Spec = new CalicoNodeStatusSpec { Node = "node-a", Classes = ["Agent", "BGP", "Routes"], UpdatePeriodSeconds = 10 },
            Status = new CalicoNodeStatusStatus
            {
                LastUpdated = lastUpdated,
                Agent = new NodeAgentStatus { BirdV4 = new BgpDaemonStatus { State = "Ready", RouterId = "192.0.2.1" } },
                Bgp = new NodeBgpStatus
                {
                    NumberEstablishedV4 = 1,
                    NumberNotEstablishedV4 = 1,
                    PeersV4 =
                    [
                        new BgpPeerStatus { PeerIP = "192.0.2.2", Type = "NodeMesh", State = "Established", Since = "2026-11-20T08:00:00.0000000+00:00" },
                        new BgpPeerStatus { PeerIP = "192.0.2.254", Type = "GlobalPeer", State = "Active", Since = "2026-11-20T08:00:00.0000000+00:00",
                            Reason = "Active Socket: Connection refused" },
                    ],
                },
                Routes = new NodeRoutesStatus
                {
                    RoutesV4 =
                    [
                        new RouteStatus { Type = "FIB", Destination = "198.18.0.64/26", Gateway = "192.0.2.2", Interface = "eth0",
                            LearnedFrom = new RouteLearnedFrom { SourceType = "NodeMesh", PeerIP = "192.0.2.2" } },
                    ],
                },
            },
        });
    }

    [Fact]
    public async Task StatusComesFromTheCalicoNodeStatusInCalicoctlsLayout()
    {
        await StoreAsync(DateTimeOffset.UtcNow);

        var (exit, output, error) = await CtlRunner.RunAsync("node", "status", "--node", "node-a", "--data-dir", _directory);

        Assert.True(exit == 0, error);
        Assert.StartsWith("Tabby process is running.\n\nIPv4 BGP status\n", output, StringComparison.Ordinal);
        Assert.Matches(@"\| 192\.0\.2\.2 +\| node-to-node mesh \| up +\|", output);
        Assert.Matches(@"\| 192\.0\.2\.254 +\| global +\| start \|", output);
        Assert.Contains("Active Socket: Connection refused", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStaleReportSaysTheAgentIsNotRunningAndExitsOne()
    {
        await StoreAsync(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5));

        var (exit, output, error) = await CtlRunner.RunAsync("node", "status", "--node", "node-a", "--data-dir", _directory);

        Assert.Equal(1, exit);
        Assert.StartsWith("Tabby process is not running.", output, StringComparison.Ordinal);
        Assert.Contains("may not be running", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAStatusResourceOneIsCreatedAndAnAbsentAgentTimesOut()
    {
        var (exit, _, error) = await CtlRunner.RunAsync("node", "status", "--node", "node-b", "--wait", "1", "--data-dir", _directory);

        Assert.Equal(1, exit);
        Assert.Contains("Creating CalicoNodeStatus node-b", error, StringComparison.Ordinal);
        Assert.Contains("has not reported", error, StringComparison.Ordinal);
        await using var store = new EmbeddedDatastore(_directory);
        var created = await store.GetAsync(ResourceKinds.CalicoNodeStatuses, "node-b");
        Assert.Equal(["Agent", "BGP", "Routes"], created!.Spec.Classes);
    }

    [Fact]
    public async Task RoutesComeFromTheRoutesClass()
    {
        await StoreAsync(DateTimeOffset.UtcNow);

        var (exit, output, error) = await CtlRunner.RunAsync("node", "routes", "--node", "node-a", "-o", "json", "--data-dir", _directory);

        Assert.True(exit == 0, error);
        Assert.Contains("\"destination\": \"198.18.0.64/26\"", output, StringComparison.Ordinal);
        Assert.Contains("\"sourceType\": \"NodeMesh\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void RoutesTableShowsOriginAndWhetherTheKernelHasIt()
    {
        var routes = new RoutesDocument
        {
            Node = "node-a",
            Routes =
            [
                new NodeRoute { Type = "FIB", Destination = "198.18.0.0/26", Gateway = "blackhole", SourceType = "Static", Programmed = true },
                new NodeRoute { Type = "FIB", Destination = "198.18.0.64/26", Gateway = "192.0.2.2", Interface = "eth0", SourceType = "NodeMesh", PeerIP = "192.0.2.2", Programmed = false },
                new NodeRoute { Type = "RIB", Destination = "198.18.0.64/26", Gateway = "192.0.2.2", SourceType = "NodeMesh", PeerIP = "192.0.2.2", Best = true, Reason = "only path" },
            ],
        };

        var text = NodeRoutesCommand.Render(routes, wide: false);

        Assert.Contains("| FIB  | 198.18.0.0/26  | blackhole |           | Static             | programmed    |", text, StringComparison.Ordinal);
        Assert.Contains("| NodeMesh 192.0.2.2 | NOT IN KERNEL |", text, StringComparison.Ordinal);
        Assert.Contains("| best ", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--type", "both")]
    [InlineData("-o", "yaml")]
    public async Task BadArgumentsExitTwo(string option, string value)
    {
        var (exit, _, error) = await CtlRunner.RunAsync("node", "routes", option, value);
        Assert.Equal(2, exit);
        Assert.Contains(value, error, StringComparison.Ordinal);
    }
}
