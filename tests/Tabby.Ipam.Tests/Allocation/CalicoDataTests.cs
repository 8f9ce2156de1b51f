using System.Net;
using System.Text.Json;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Blocks;
using Tabby.Ipam.Check;
using Tabby.Ipam.Gc;
using Tabby.Ipam.Tests.Support;
using Xunit;

namespace Tabby.Ipam.Tests.Allocation;

/// <summary>IPAM data written by Calico is read as is, allocated from and released without re-addressing anything.</summary>
public sealed class CalicoDataTests
{
    private const string CoreDnsHandle = "k8s-pod-network.3f1c2e9a8b7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d";

    [Fact]
    public async Task CalicoBlocksAreReadAllocatedFromAndReleasedInPlace()
    {
        await using var temp = TemporaryStore.Create();
        await ImportAsync(temp.Store, Path.Combine(AppContext.BaseDirectory, "testdata", "calico-kdd-ipam.json"));
        var ipam = new IpamAllocator(temp.Store, new LabelEqualityMatcher());

        // Existing holders keep their addresses.
        Assert.Equal(CoreDnsHandle, (await ipam.GetAssignmentAsync(IPAddress.Parse("198.18.120.65")))!.Value.Attribute.HandleId);
        Assert.Equal("ipip-tunnel-addr-worker-1",
            (await ipam.GetAssignmentAsync(IPAddress.Parse("198.18.120.64")))!.Value.Attribute.HandleId);
        Assert.Equal(IPAddress.Parse("198.18.120.64"), await new TunnelAddresses(ipam).EnsureAsync("worker-1", TunnelKind.Ipip));

        // A new pod on the same node gets the head of Calico's free list from the affine block.
        var assigned = await ipam.AutoAssignAsync(new AutoAssignRequest { Host = "worker-1", HandleId = "k8s-pod-network.new", IPv4Count = 1 });
        Assert.Equal(IPAddress.Parse("198.18.120.67"), assigned.IPv4[0].Address);
        Assert.Single((await temp.Store.ListAsync(ResourceKinds.IPAMBlocks)).Items);

        // Release by a handle Calico wrote.
        Assert.Equal([IPAddress.Parse("198.18.120.65")], await ipam.ReleaseByHandleAsync(CoreDnsHandle));
        var block = (await temp.Store.GetAsync(ResourceKinds.IPAMBlocks, "198-18-120-64-26"))!;
        Assert.True(block.Spec.SequenceNumber > 1714641302118364512UL);
        Assert.Equal(1, block.Spec.Unallocated[^1]);
        Assert.Empty(new BlockView(block).CheckInvariants());
        Assert.Empty((await new IpamChecker(temp.Store).CheckAsync(null)).Problems);
    }

    private static async Task ImportAsync(IDatastore store, string path)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        foreach (var item in document.RootElement.GetProperty("items").EnumerateArray())
        {
            var text = item.GetRawText();
            switch (item.GetProperty("kind").GetString())
            {
                case "IPPool":
                    await store.CreateAsync(ResourceKinds.IPPools, JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.IPPool)!);
                    break;
                case "BlockAffinity":
                    await store.CreateAsync(ResourceKinds.BlockAffinities, JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.BlockAffinity)!);
                    break;
                case "IPAMBlock":
                    await store.CreateAsync(ResourceKinds.IPAMBlocks, JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.IPAMBlock)!);
                    break;
                case "IPAMHandle":
                    await store.CreateAsync(ResourceKinds.IPAMHandles, JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.IPAMHandle)!);
                    break;
            }
        }
    }
}
