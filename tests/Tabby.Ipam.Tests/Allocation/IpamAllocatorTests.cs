using System.Net;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Blocks;
using Tabby.Ipam.Check;
using Tabby.Ipam.Tests.Support;
using Xunit;

namespace Tabby.Ipam.Tests.Allocation;

public sealed class IpamAllocatorTests : IAsyncLifetime
{
    private TemporaryStore _store = null!;
    private IpamAllocator _ipam = null!;

    public async Task InitializeAsync()
    {
        _store = TemporaryStore.Create();
        _ipam = new IpamAllocator(_store.Store, new LabelEqualityMatcher());
        await Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static AutoAssignRequest Pod(string host, string container, int v4 = 1, int v6 = 0) => new()
    {
        Host = host,
        HandleId = HandleNames.PodHandle(container),
        IPv4Count = v4,
        IPv6Count = v6,
        Attributes = new Dictionary<string, string> { ["pod"] = container, ["namespace"] = "default", ["node"] = host },
    };

    [Fact]
    public async Task FirstAssignmentClaimsAConfirmedBlockAndCountsTheHandle()
    {
        await _store.AddPoolAsync("default-ipv4", "198.18.0.0/24");

        var result = await _ipam.AutoAssignAsync(Pod("node-a", "c1"));

        var assigned = Assert.Single(result.IPv4);
        Assert.Equal(26, assigned.Block.PrefixLength);
        Assert.True(assigned.Block.Contains(assigned.Address));
        var affinity = Assert.Single((await _store.Store.ListAsync(ResourceKinds.BlockAffinities)).Items);
        Assert.Equal(BlockAffinityStates.Confirmed, affinity.Spec.State);
        Assert.Equal("node-a", affinity.Spec.Node);
        var block = Assert.Single((await _store.Store.ListAsync(ResourceKinds.IPAMBlocks)).Items);
        Assert.Equal("host:node-a", block.Spec.Affinity);
        var handle = Assert.Single((await _store.Store.ListAsync(ResourceKinds.IPAMHandles)).Items);
        Assert.Equal("k8s-pod-network.c1", handle.Spec.HandleId);
        Assert.Equal(1, handle.Spec.Block[assigned.Block.ToString()]);
    }

    [Fact]
    public async Task BlockChoiceIsDeterministicPerHostAndDiffersBetweenHosts()
    {
        await _store.AddPoolAsync("p", "198.18.0.0/20");

        var a = (await _ipam.AutoAssignAsync(Pod("node-a", "c1"))).IPv4[0];
        var b = (await _ipam.AutoAssignAsync(Pod("node-b", "c2"))).IPv4[0];

        Assert.NotEqual(a.Block, b.Block);
        var pool = Tabby.Ipam.Pools.IpamPool.From((await _store.Store.GetAsync(ResourceKinds.IPPools, "p"))!);
        Assert.Equal(BlockClaims.BlockOrder(pool, "node-a").First(), a.Block);
        Assert.Equal(BlockClaims.BlockOrder(pool, "node-b").First(), b.Block);
    }

    [Fact]
    public async Task AHostFillsItsBlockThenClaimsAnother()
    {
        await _store.AddPoolAsync("p", "198.18.0.0/24");

        var result = await _ipam.AutoAssignAsync(Pod("node-a", "many", v4: 70));

        Assert.Equal(70, result.IPv4.Select(r => r.Address).Distinct().Count());
        Assert.Equal(2, result.IPv4.Select(r => r.Block).Distinct().Count());
        var affinities = (await _store.Store.ListAsync(ResourceKinds.BlockAffinities)).Items;
        Assert.All(affinities, a => Assert.Equal(BlockAffinityStates.Confirmed, a.Spec.State));
        Assert.Equal(2, affinities.Count);
    }

    [Fact]
    public async Task PerHostBlockLimitWithStrictAffinityIsAClearError()
    {
        await _store.AddPoolAsync("p", "198.18.0.0/24");
        await _store.ConfigureAsync(strictAffinity: true, maxBlocksPerHost: 1);

        var error = await Assert.ThrowsAsync<IpamExhaustedException>(() => _ipam.AutoAssignAsync(Pod("node-a", "big", v4: 65)));

        Assert.Contains("cannot allocate new block due to per host block limit", error.Message);
        Assert.Empty((await _store.Store.ListAsync(ResourceKinds.IPAMHandles)).Items); // nothing left half-assigned
        var block = Assert.Single((await _store.Store.ListAsync(ResourceKinds.IPAMBlocks)).Items);
        Assert.True(new BlockView(block).IsEmpty);
    }

    [Fact]
    public async Task WithoutStrictAffinityAFullHostBorrowsFromAnotherHostsBlock()
    {
        await _store.AddPoolAsync("p", "198.18.0.0/25"); // two blocks
        await _store.ConfigureAsync(strictAffinity: false, maxBlocksPerHost: 1);
        var other = (await _ipam.AutoAssignAsync(Pod("node-b", "b1"))).IPv4[0];

        var result = await _ipam.AutoAssignAsync(Pod("node-a", "a1", v4: 65));

        Assert.Contains(result.IPv4, r => r.Block == other.Block);
        Assert.Equal(65, result.IPv4.Select(r => r.Address).Distinct().Count());
        Assert.DoesNotContain(result.IPv4, r => r.Address.Equals(other.Address));
    }

    [Fact]
    public async Task AFullPoolNamesThePool()
    {
        await _store.AddPoolAsync("tiny", "198.18.0.0/30", blockSize: 30);
        await _ipam.AutoAssignAsync(Pod("node-a", "c1", v4: 4));

        var error = await Assert.ThrowsAsync<IpamExhaustedException>(() => _ipam.AutoAssignAsync(Pod("node-a", "c2")));

        Assert.Contains("tiny (198.18.0.0/30)", error.Message);
    }

    [Fact]
    public async Task UnknownRequestedPoolIsARequestError()
    {
        await _store.AddPoolAsync("p", "198.18.0.0/24");

        var error = await Assert.ThrowsAsync<IpamRequestException>(() =>
            _ipam.AutoAssignAsync(Pod("node-a", "c1") with { IPv4Pools = ["nope"] }));

        Assert.Contains("\"nope\"", error.Message);
    }

    [Fact]
    public async Task RequestedPoolIsUsedAndNodeSelectorsAreHonoured()
    {
        await _store.AddPoolAsync("rack1", "198.18.1.0/24", nodeSelector: "rack == 'r1'");
        await _store.AddPoolAsync("rack2", "198.18.2.0/24", nodeSelector: "rack == 'r2'");

        var bySelector = await _ipam.AutoAssignAsync(Pod("node-a", "c1") with { HostLabels = new Dictionary<string, string> { ["rack"] = "r2" } });
        var byName = await _ipam.AutoAssignAsync(Pod("node-a", "c2") with { IPv4Pools = ["198.18.1.0/24"] });

        Assert.Equal("rack2", bySelector.IPv4[0].Pool);
        Assert.Equal("rack1", byName.IPv4[0].Pool);
    }

    [Fact]
    public async Task DisabledPoolsAndPoolsNotForTheUseAreSkipped()
    {
        await _store.AddPoolAsync("off", "198.18.1.0/24", disabled: true);
        await _store.AddPoolAsync("lb", "198.18.2.0/24", allowedUses: [IPPoolAllowedUses.LoadBalancer]);

        await Assert.ThrowsAsync<IpamExhaustedException>(() => _ipam.AutoAssignAsync(Pod("node-a", "c1")));
    }

    [Fact]
    public async Task DualStackGetsOneAddressOfEachFamily()
    {
        await _store.AddPoolAsync("v4", "198.18.0.0/24");
        await _store.AddPoolAsync("v6", "2001:db8:1::/120");

        var result = await _ipam.AutoAssignAsync(Pod("node-a", "c1", v4: 1, v6: 1));

        Assert.Single(result.IPv4);
        var v6 = Assert.Single(result.IPv6);
        Assert.Equal(122, v6.Block.PrefixLength);
        var handle = (await _store.Store.GetAsync(ResourceKinds.IPAMHandles, "k8s-pod-network.c1"))!;
        Assert.Equal(2, handle.Spec.Block.Count);
    }

    [Fact]
    public async Task PinnedAddressIsAssignedOnceAndOutsidePoolsIsAnError()
    {
        await _store.AddPoolAsync("p", "198.18.0.0/24");
        var ip = IPAddress.Parse("198.18.0.77");

        var first = await _ipam.AssignIpAsync(new AssignIpRequest { Address = ip, Host = "node-a", HandleId = "h1" });
        var taken = await Assert.ThrowsAsync<AddressInUseException>(() =>
            _ipam.AssignIpAsync(new AssignIpRequest { Address = ip, Host = "node-b", HandleId = "h2" }));
        var outside = await Assert.ThrowsAsync<IpamRequestException>(() =>
            _ipam.AssignIpAsync(new AssignIpRequest { Address = IPAddress.Parse("203.0.113.1"), Host = "node-a" }));

        Assert.Equal(IPNetwork.Parse("198.18.0.64/26"), first.Block);
        Assert.Contains("h1", taken.Message);
        Assert.Contains("not in any IP pool", outside.Message);
    }

    [Fact]
    public async Task ReleaseByHandleFreesEverythingAndDeletesTheHandle()
    {
        await _store.AddPoolAsync("v4", "198.18.0.0/24");
        await _store.AddPoolAsync("v6", "2001:db8:1::/120");
        var assigned = await _ipam.AutoAssignAsync(Pod("node-a", "c1", v4: 2, v6: 1));

        var released = await _ipam.ReleaseByHandleAsync("k8s-pod-network.c1");
        var again = await _ipam.ReleaseByHandleAsync("k8s-pod-network.c1");

        Assert.Equal(assigned.All.Select(a => a.Address).OrderBy(a => a.ToString()), released.OrderBy(a => a.ToString()));
        Assert.Empty(again);
        Assert.Empty((await _store.Store.ListAsync(ResourceKinds.IPAMHandles)).Items);
        Assert.All((await _store.Store.ListAsync(ResourceKinds.IPAMBlocks)).Items, b => Assert.True(new BlockView(b).IsEmpty));
    }

    [Fact]
    public async Task ReleaseWithAStaleSequenceNumberKeepsTheNewOwner()
    {
        await _store.AddPoolAsync("p", "198.18.0.0/30", blockSize: 30);
        var first = (await _ipam.AutoAssignAsync(Pod("node-a", "old"))).IPv4[0];
        var (_, _, oldSequence) = (await _ipam.GetAssignmentAsync(first.Address))!.Value;
        await _ipam.ReleaseByHandleAsync("k8s-pod-network.old");
        await _ipam.AssignIpAsync(new AssignIpRequest { Address = first.Address, Host = "node-a", HandleId = "k8s-pod-network.new" });

        var late = await _ipam.ReleaseAsync([new ReleaseRequest(first.Address, oldSequence)]);

        Assert.Empty(late.Released);
        Assert.Single(late.Skipped);
        Assert.Equal("k8s-pod-network.new", (await _ipam.GetAssignmentAsync(first.Address))!.Value.Attribute.HandleId);
    }

    [Fact]
    public async Task ReleasingHostAffinitiesDeletesEmptyBlocksAndKeepsBusyOnes()
    {
        await _store.AddPoolAsync("p", "198.18.0.0/24");
        await _ipam.AutoAssignAsync(Pod("node-a", "keep"));
        await _ipam.AutoAssignAsync(Pod("node-a", "fill", v4: 64)); // fills the rest of block 1 and opens block 2
        await _ipam.ReleaseByHandleAsync("k8s-pod-network.fill");

        var kept = await _ipam.ReleaseHostAffinitiesAsync("node-a");

        var keptBlock = Assert.Single(kept);
        var blocks = (await _store.Store.ListAsync(ResourceKinds.IPAMBlocks)).Items;
        Assert.Equal(keptBlock, Assert.Single(blocks).Spec.Cidr);
        var affinity = Assert.Single((await _store.Store.ListAsync(ResourceKinds.BlockAffinities)).Items);
        Assert.Equal(BlockAffinityStates.Confirmed, affinity.Spec.State);
        Assert.Empty((await new IpamChecker(_store.Store).CheckAsync(null)).Problems);
    }

    [Fact]
    public async Task AnAffinityWhoseBlockVanishedIsRecreated()
    {
        await _store.AddPoolAsync("p", "198.18.0.0/24");
        var first = (await _ipam.AutoAssignAsync(Pod("node-a", "c1"))).IPv4[0];
        await _ipam.ReleaseByHandleAsync("k8s-pod-network.c1");
        await _store.Store.DeleteAsync(ResourceKinds.IPAMBlocks, ResourceNames.BlockName(first.Block.ToString()));

        var again = (await _ipam.AutoAssignAsync(Pod("node-a", "c2"))).IPv4[0];

        Assert.Equal(first.Block, again.Block);
        Assert.Empty((await new IpamChecker(_store.Store).CheckAsync(null)).Problems);
    }
}
