using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Blocks;
using Tabby.Ipam.Check;
using Tabby.Ipam.Gc;
using Tabby.Ipam.Tests.Support;
using Xunit;

namespace Tabby.Ipam.Tests.Allocation;

/// <summary>
/// The store fails at every write of a claim+assign and of a release, in every way (never written,
/// written but reported failed, conflict). After the failure the runtime's usual recovery runs (CNI
/// DEL after a failed ADD, then ADD again; a failed DEL is retried) and the result must be
/// consistent: no duplicate, no lost allocation, no pending affinity left, `ipam check` clean.
/// </summary>
public sealed class FaultInjectionTests
{
    private static readonly Dictionary<string, string> Attributes = new() { ["pod"] = "p", ["namespace"] = "default", ["node"] = "node-a" };

    private static AutoAssignRequest Request(string container) => new()
    {
        Host = "node-a",
        HandleId = HandleNames.PodHandle(container),
        IPv4Count = 1,
        IPv6Count = 1,
        Attributes = Attributes,
    };

    public static TheoryData<FaultMode> Modes => new() { FaultMode.BeforeWrite, FaultMode.AfterWrite, FaultMode.Conflict };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task AssignInterruptedAtEveryWriteRecovers(FaultMode mode)
    {
        var writes = await CountWritesAsync(async ipam => await ipam.AutoAssignAsync(Request("c1")));
        Assert.True(writes >= 8, $"a dual-stack first assignment should take several writes, saw {writes}");

        for (var failAt = 1; failAt <= writes; failAt++)
        {
            await using var temp = TemporaryStore.Create();
            await SeedPoolsAsync(temp);
            var faulty = new FaultyDatastore(temp.Store);
            var ipam = new IpamAllocator(faulty, new LabelEqualityMatcher());
            faulty.FailAt(failAt, mode);

            AutoAssignResult result;
            try
            {
                // An injected conflict is retried inside IPAM, so the first try may succeed.
                result = await ipam.AutoAssignAsync(Request("c1"));
            }
            catch (DatastoreException)
            {
                // CNI DEL after a failed ADD, then ADD again.
                faulty.Reset();
                await ipam.ReleaseByHandleAsync(HandleNames.PodHandle("c1"));
                result = await ipam.AutoAssignAsync(Request("c1"));
            }

            var context = $"fail at write {failAt} ({mode})";
            Assert.Single(result.IPv4);
            Assert.Single(result.IPv6);
            await AssertConsistentAsync(temp, expectedAllocations: 2, context);
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ReleaseInterruptedAtEveryWriteRecovers(FaultMode mode)
    {
        var writes = await CountWritesAsync(async ipam =>
        {
            await ipam.AutoAssignAsync(Request("c1"));
            return await ipam.ReleaseByHandleAsync(HandleNames.PodHandle("c1"));
        }, countFrom: async ipam => await ipam.AutoAssignAsync(Request("c1")));

        for (var failAt = 1; failAt <= writes; failAt++)
        {
            await using var temp = TemporaryStore.Create();
            await SeedPoolsAsync(temp);
            var faulty = new FaultyDatastore(temp.Store);
            var ipam = new IpamAllocator(faulty, new LabelEqualityMatcher());
            await ipam.AutoAssignAsync(Request("c1"));
            faulty.FailAt(failAt, mode);

            try
            {
                await ipam.ReleaseByHandleAsync(HandleNames.PodHandle("c1"));
            }
            catch (DatastoreException)
            {
            }

            faulty.Reset();
            await ipam.ReleaseByHandleAsync(HandleNames.PodHandle("c1")); // the runtime retries DEL
            await AssertConsistentAsync(temp, expectedAllocations: 0, $"fail at write {failAt} ({mode})");
            Assert.Empty((await temp.Store.ListAsync(ResourceKinds.IPAMHandles)).Items);
        }
    }

    [Fact]
    public async Task ANodeThatDiedMidClaimLeavesNoPendingAffinityAfterGc()
    {
        await using var temp = TemporaryStore.Create();
        await SeedPoolsAsync(temp);
        var faulty = new FaultyDatastore(temp.Store);
        var ipam = new IpamAllocator(faulty, new LabelEqualityMatcher());
        faulty.FailAt(2, FaultMode.BeforeWrite); // pending affinity written, block never created
        await Assert.ThrowsAnyAsync<DatastoreException>(() => ipam.AutoAssignAsync(Request("c1")));
        faulty.Reset();
        Assert.Contains((await temp.Store.ListAsync(ResourceKinds.BlockAffinities)).Items, a => a.Spec.State == BlockAffinityStates.Pending);

        // The node never comes back; GC runs later (the grace period is zero for the test).
        var gc = new IpamGarbageCollector(ipam, _ => Task.FromResult(new WorkloadInventory(new HashSet<string> { "node-b" },
            new Dictionary<string, PodRecord>())), new IpamGcOptions { PendingAffinityGracePeriod = TimeSpan.Zero, LeakGracePeriod = TimeSpan.Zero });
        await gc.RunOnceAsync();

        Assert.Empty((await temp.Store.ListAsync(ResourceKinds.BlockAffinities)).Items);
        await AssertConsistentAsync(temp, expectedAllocations: 0, "after GC");
    }

    private static async Task SeedPoolsAsync(TemporaryStore temp)
    {
        await temp.AddPoolAsync("v4", "198.18.0.0/24");
        await temp.AddPoolAsync("v6", "2001:db8:1::/120");
    }

    private static async Task<int> CountWritesAsync<T>(Func<IpamAllocator, Task<T>> operation, Func<IpamAllocator, Task<AutoAssignResult>>? countFrom = null)
    {
        await using var temp = TemporaryStore.Create();
        await SeedPoolsAsync(temp);
        var faulty = new FaultyDatastore(temp.Store);
        var ipam = new IpamAllocator(faulty, new LabelEqualityMatcher());
        if (countFrom is not null)
        {
            await countFrom(ipam);
            faulty.Reset();
            await ipam.ReleaseByHandleAsync(HandleNames.PodHandle("c1"));
            return faulty.Writes;
        }

        faulty.Reset();
        await operation(ipam);
        return faulty.Writes;
    }

    private static async Task AssertConsistentAsync(TemporaryStore temp, int expectedAllocations, string context)
    {
        var report = await new IpamChecker(temp.Store) { PendingAffinityGrace = TimeSpan.Zero }.CheckAsync(null);
        Assert.True(report.Problems.Count == 0, $"{context}: {string.Join("; ", report.Problems.Select(p => p.Detail))}");
        Assert.Equal(expectedAllocations, report.Allocations);
        var affinities = (await temp.Store.ListAsync(ResourceKinds.BlockAffinities)).Items;
        Assert.True(affinities.All(a => a.Spec.State == BlockAffinityStates.Confirmed),
            $"{context}: affinities {string.Join(", ", affinities.Select(a => a.Spec.State))}");
        foreach (var block in (await temp.Store.ListAsync(ResourceKinds.IPAMBlocks)).Items)
        {
            Assert.True(Affinity.HostOf(block.Spec.Affinity) == "node-a", context);
        }
    }
}
