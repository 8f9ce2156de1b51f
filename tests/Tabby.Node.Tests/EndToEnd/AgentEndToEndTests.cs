using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Tabby.Common.Status;
using Tabby.Datastore.Embedded;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Pools;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Namespaces;
using Tabby.Testing.Processes;
using Tabby.Testing.Xunit;
using Xunit;
using Xunit.Abstractions;

namespace Tabby.Node.Tests.EndToEnd;

/// <summary>
/// Two real tabby-node processes in namespaces with a BIRD top-of-rack router, sharing the embedded
/// datastore: a BGPPeer added and removed at runtime changes only its own session, and a node agent
/// stopped with SIGTERM is helped through a graceful restart by BIRD (its routes stay) and
/// re-synchronises when it comes back.
/// </summary>
public sealed class AgentEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(90);

    [RootFact]
    public async Task PeersChangeAtRuntimeWithoutRestartingOthersAndGracefulRestartKeepsRoutes()
    {
        using var tor = NetworkNamespace.Create("tor");
        var scratch = tor.ScratchDirectory; // removed with the namespace, after the agents stopped
        var dataDir = Path.Combine(scratch, "datastore");
        Directory.CreateDirectory(dataDir);
        using var node1 = NetworkNamespace.Create("node1");
        using var node2 = NetworkNamespace.Create("node2");
        using var router2 = NetworkNamespace.Create("router2");
        tor.AddBridge("br0");
        tor.AddAddress("br0", "192.0.2.254/24");
        Veth.ConnectToBridge(tor, "br0", "r2", router2, "eth0", "192.0.2.253/24");
        Veth.ConnectToBridge(tor, "br0", "n1", node1, "eth0", "192.0.2.1/24");
        Veth.ConnectToBridge(tor, "br0", "n2", node2, "eth0", "192.0.2.2/24");
        await node1.WaitReachableAsync("192.0.2.254");
        await node2.WaitReachableAsync("192.0.2.254");

        await using var bird = await BirdDaemon.StartAsync(tor, """
            router id 192.0.2.254;
            protocol device {}
            protocol bgp node1 { local 192.0.2.254 as 65000; neighbor 192.0.2.1 as 64512; connect delay time 1; connect retry time 2; ipv4 { import all; export none; }; }
            protocol bgp node2 { local 192.0.2.254 as 65000; neighbor 192.0.2.2 as 64512; connect delay time 1; connect retry time 2; ipv4 { import all; export none; }; }
            """, output);
        await using var extraRouter = await BirdDaemon.StartAsync(router2, """
            router id 192.0.2.253;
            protocol device {}
            protocol bgp extra { local 192.0.2.253 as 65001; neighbor 192.0.2.1 as 64512; connect delay time 1; connect retry time 2; ipv4 { import all; export none; }; }
            """, output);

        await using (var store = new EmbeddedDatastore(dataDir))
        {
            await store.CreateAsync(ResourceKinds.BGPConfigurations, new BGPConfiguration
            {
                Metadata = new ObjectMeta { Name = "default" },
                Spec = new BGPConfigurationSpec { AsNumber = 64512, NodeToNodeMeshEnabled = true },
            });
            await store.CreateAsync(ResourceKinds.BGPPeers, new BGPPeer
            {
                Metadata = new ObjectMeta { Name = "tor" },
                Spec = new BGPPeerSpec { PeerIP = "192.0.2.254", AsNumber = 65000 },
            });
        }

        await using var agent1 = AgentProcess.Start(node1, "node1", "192.0.2.1/24", dataDir, scratch, output);
        await using var agent2 = AgentProcess.Start(node2, "node2", "192.0.2.2/24", dataDir, scratch, output);
        await WaitPeersUpAsync(agent1, ["192.0.2.2", "192.0.2.254"]);
        await bird.WaitEstablishedAsync("node1", Converge);
        await bird.WaitEstablishedAsync("node2", Converge);

        // Give node2 a block: the agent advertises it to the ToR.
        await using (var store = new EmbeddedDatastore(dataDir))
        {
            await new IpamAllocator(store, CalicoSelectorMatcher.Instance).AutoAssignAsync(new AutoAssignRequest
            {
                Host = "node2", HandleId = "k8s-pod-network.e2e", IPv4Count = 1,
            });
        }

        var block = await WaitForBlockAtTorAsync(bird, "node2");
        var before = await StatusAsync(agent1);
        var torSince = Since(before, "192.0.2.254");
        var meshSince = Since(before, "192.0.2.2");
        var birdNode1Before = await ProtocolSinceAsync(bird, "node1");

        // A node-specific BGPPeer added at runtime: a new session, nothing else restarts.
        await using (var store = new EmbeddedDatastore(dataDir))
        {
            await store.CreateAsync(ResourceKinds.BGPPeers, new BGPPeer
            {
                Metadata = new ObjectMeta { Name = "extra" },
                Spec = new BGPPeerSpec { Node = "node1", PeerIP = "192.0.2.253", AsNumber = 65001 },
            });
        }

        await WaitPeersUpAsync(agent1, ["192.0.2.2", "192.0.2.253", "192.0.2.254"]);
        await extraRouter.WaitEstablishedAsync("extra", Converge);
        var added = await StatusAsync(agent1);
        Assert.Equal("node specific", added.Peers.Single(p => p.PeerAddress == "192.0.2.253").PeerType);
        Assert.Equal(torSince, Since(added, "192.0.2.254"));
        Assert.Equal(meshSince, Since(added, "192.0.2.2"));
        Assert.Equal(birdNode1Before, await ProtocolSinceAsync(bird, "node1"));

        // Removed again: its session goes, the others stay.
        await using (var store = new EmbeddedDatastore(dataDir))
        {
            await store.DeleteAsync(ResourceKinds.BGPPeers, "extra");
        }

        await Wait.UntilAsync(async () => (await StatusAsync(agent1)).Peers.All(p => p.PeerAddress != "192.0.2.253"), Converge,
            "the removed BGPPeer to leave node1's status");
        await Wait.UntilAsync(async () => await extraRouter.BgpStateAsync("extra") != "Established", Converge, "the extra router to see the session go");
        var removed = await StatusAsync(agent1);
        Assert.Equal(torSince, Since(removed, "192.0.2.254"));
        Assert.Equal(meshSince, Since(removed, "192.0.2.2"));

        // Graceful restart: node2's agent stops (SIGTERM); BIRD keeps its route meanwhile.
        await agent2.StopAsync();
        await Wait.UntilAsync(async () => await bird.BgpStateAsync("node2") != "Established", Converge, "BIRD to notice node2 going");
        var during = await bird.ShowRouteAsync(block, "all");
        Assert.Contains(block, during);
        agent2.Restart();
        await bird.WaitEstablishedAsync("node2", Converge);
        await WaitPeersUpAsync(agent2, ["192.0.2.1", "192.0.2.254"]);
        await Wait.UntilAsync(async () => (await bird.ShowRouteAsync(block)).Contains(block, StringComparison.Ordinal), Converge,
            "node2's block to be present after the restart", () => bird.ShowRouteAsync());
    }

    private static string Since(StatusDocument status, string peer) =>
        status.Peers.Single(p => p.PeerAddress == peer).Since.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<string> ProtocolSinceAsync(BirdDaemon bird, string protocol)
    {
        var line = (await bird.BirdcAsync("show", "protocols", protocol)).Split('\n').First(l => l.StartsWith(protocol, StringComparison.Ordinal));
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4];
    }

    private static async Task<string> WaitForBlockAtTorAsync(BirdDaemon bird, string protocol)
    {
        string? block = null;
        await Wait.UntilAsync(async () =>
        {
            var routes = await bird.ShowRouteAsync("protocol", protocol);
            block = routes.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault())
                .FirstOrDefault(t => t is not null && t.StartsWith("198.18.", StringComparison.Ordinal) && t.EndsWith("/26", StringComparison.Ordinal));
            return block is not null;
        }, Converge, $"a 198.18.0.0/16 block from {protocol} at the ToR", () => bird.ShowRouteAsync());
        return block!;
    }

    private async Task WaitPeersUpAsync(AgentProcess agent, string[] peers) =>
        await Wait.UntilAsync(async () =>
        {
            var status = await StatusAsync(agent);
            return peers.All(p => status.Peers.Any(s => s.PeerAddress == p && s.State == "up"));
        }, Converge, $"{agent.Name} to have {string.Join(", ", peers)} up",
            async () => JsonSerializer.Serialize(await StatusAsync(agent), StatusJsonContext.Default.StatusDocument) + "\n" + agent.Log());

    private static async Task<StatusDocument> StatusAsync(AgentProcess agent) =>
        await StatusClient.ReadAsync(agent.StatusSocket, CancellationToken.None) ?? throw new InvalidOperationException($"{agent.Name} returned no status");
}
