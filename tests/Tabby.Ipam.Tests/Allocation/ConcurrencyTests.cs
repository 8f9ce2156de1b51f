using System.Collections.Concurrent;
using System.Net;
using Tabby.Datastore.Etcd;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Blocks;
using Tabby.Ipam.Check;
using Tabby.Ipam.Tests.Support;
using Tabby.Testing.Daemons;
using Xunit;
using Xunit.Abstractions;

namespace Tabby.Ipam.Tests.Allocation;

/// <summary>
/// Several nodes, each with its own store client, allocate and release at once on a pool small
/// enough that they fight over blocks, claim, and borrow. No address may ever be held twice, every
/// release must be accounted for, and `ipam check` must find nothing at the end.
/// </summary>
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    private const int Nodes = 4;
    private const int AllocationsPerNode = 250;

    [Fact]
    public async Task NodesSharingTheEmbeddedStoreNeverDuplicate()
    {
        await using var temp = TemporaryStore.Create();
        var clients = Enumerable.Range(0, Nodes).Select(_ => (IDatastore)temp.OpenAnother()).ToList();
        await RunAsync(temp.Store, clients);
    }

    [Fact]
    public async Task NodesSharingARealEtcdNeverDuplicate()
    {
        await using var etcd = await EtcdServer.StartAsync(output);
        IDatastore Open() => new EtcdDatastore(new EtcdOptions { Endpoints = [etcd.ClientUrl] });
        await using var admin = Open();
        var clients = Enumerable.Range(0, Nodes).Select(_ => Open()).ToList();
        await RunAsync(admin, clients);
    }

    private async Task RunAsync(IDatastore admin, IReadOnlyList<IDatastore> clients)
    {
        await admin.CreateAsync(ResourceKinds.IPPools, new IPPool
        {
            Metadata = new ObjectMeta { Name = "contended" },
            Spec = new IPPoolSpec { Cidr = "198.18.0.0/24", BlockSize = 29 },
        });
        var live = new ConcurrentDictionary<IPAddress, string>();
        var released = 0;
        var started = DateTime.UtcNow;

        await Task.WhenAll(clients.Select((client, n) => Task.Run(async () =>
        {
            var node = $"node-{n}";
            var ipam = new IpamAllocator(client, new LabelEqualityMatcher());
            var random = new Random(n);
            var mine = new List<(string Handle, IPAddress Address)>();
            for (var i = 0; i < AllocationsPerNode; i++)
            {
                var handle = HandleNames.PodHandle($"{node}-{i}");
                var result = await ipam.AutoAssignAsync(new AutoAssignRequest
                {
                    Host = node,
                    HandleId = handle,
                    IPv4Count = 1,
                    Attributes = new Dictionary<string, string> { ["pod"] = $"{node}-{i}", ["namespace"] = "default", ["node"] = node },
                });
                var address = result.IPv4[0].Address;
                Assert.True(live.TryAdd(address, handle), $"{address} handed to {handle} while {live.GetValueOrDefault(address)} holds it");
                mine.Add((handle, address));

                // Keep the pool under pressure but never full: release about half as we go.
                if (mine.Count > 20 || random.Next(2) == 0)
                {
                    var victim = mine[random.Next(mine.Count)];
                    mine.Remove(victim);
                    Assert.True(live.TryRemove(victim.Address, out _));
                    var freed = await ipam.ReleaseByHandleAsync(victim.Handle);
                    Assert.Equal([victim.Address], freed);
                    Interlocked.Increment(ref released);
                }
            }

            foreach (var (handle, address) in mine)
            {
                Assert.True(live.TryRemove(address, out _));
                Assert.Equal([address], await ipam.ReleaseByHandleAsync(handle));
                Interlocked.Increment(ref released);
            }
        })));

        output.WriteLine($"{Nodes} nodes x {AllocationsPerNode} allocations, {released} releases in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
        Assert.Equal(Nodes * AllocationsPerNode, released);
        var report = await new IpamChecker(admin).CheckAsync(null);
        Assert.True(report.Problems.Count == 0, string.Join("\n", report.Problems.Select(p => $"{p.Kind}: {p.Detail}")));
        Assert.Equal(0, report.Allocations);
        Assert.Empty((await admin.ListAsync(ResourceKinds.IPAMHandles)).Items);
        var blocks = (await admin.ListAsync(ResourceKinds.IPAMBlocks)).Items;
        Assert.All(blocks, b => Assert.True(new BlockView(b).IsEmpty));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }
}
