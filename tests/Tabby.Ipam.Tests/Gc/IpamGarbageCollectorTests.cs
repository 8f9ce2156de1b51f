using System.Net;
using Tabby.Testing.Time;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Check;
using Tabby.Ipam.Gc;
using Tabby.Ipam.Tests.Support;
using Xunit;

namespace Tabby.Ipam.Tests.Gc;

public sealed class IpamGarbageCollectorTests : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(15);
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero));
    private TemporaryStore _store = null!;
    private IpamAllocator _ipam = null!;
    private IpamGarbageCollector _gc = null!;

    public async Task InitializeAsync()
    {
        _store = TemporaryStore.Create();
        _ipam = new IpamAllocator(_store.Store, new LabelEqualityMatcher(), time: _time);
        _gc = new IpamGarbageCollector(_ipam, ct => WorkloadInventory.LoadAsync(_store.Store, ct),
            new IpamGcOptions { LeakGracePeriod = Grace, PendingAffinityGracePeriod = Grace }, _time);
        await _store.AddPoolAsync("p", "198.18.0.0/24");
        await AddNodeAsync("node-a");
        await AddNodeAsync("node-b");
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task ALeakedPodAddressIsReleasedOnlyAfterTheGracePeriod()
    {
        var live = await AssignPodAsync("node-a", "live");
        var gone = await AssignPodAsync("node-a", "gone");
        await AddPodAsync("live", "node-a", live);

        var first = await _gc.RunOnceAsync();
        _time.Advance(Grace - TimeSpan.FromSeconds(1));
        var early = await _gc.RunOnceAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        var due = await _gc.RunOnceAsync();

        Assert.Empty(first.Released);
        Assert.Equal(1, first.Suspects);
        Assert.Empty(early.Released);
        Assert.Equal([gone], due.Released);
        Assert.NotNull(await _ipam.GetAssignmentAsync(live));
        Assert.Null(await _ipam.GetAssignmentAsync(gone));
        Assert.Empty((await new IpamChecker(_store.Store).CheckAsync(await WorkloadInventory.LoadAsync(_store.Store))).Problems);
    }

    [Fact]
    public async Task APodThatReappearsIsNoLongerASuspect()
    {
        var address = await AssignPodAsync("node-a", "slow");
        await _gc.RunOnceAsync();
        await AddPodAsync("slow", "node-a", address); // the pod object showed up late

        _time.Advance(Grace * 2);
        var result = await _gc.RunOnceAsync();

        Assert.Empty(result.Released);
        Assert.Equal(0, result.Suspects);
    }

    [Fact]
    public async Task AnAddressReusedDuringTheGracePeriodIsNotReleased()
    {
        var address = await AssignPodAsync("node-a", "old");
        await _gc.RunOnceAsync(); // "old" is a suspect
        await _ipam.ReleaseByHandleAsync(HandleNames.PodHandle("old"));
        await _ipam.AssignIpAsync(new AssignIpRequest
        {
            Address = address, Host = "node-a", HandleId = HandleNames.PodHandle("new"),
            Attributes = PodAttributes("new", "node-a"),
        });
        await AddPodAsync("new", "node-a", address);

        _time.Advance(Grace * 2);
        var result = await _gc.RunOnceAsync();

        Assert.Empty(result.Released);
        Assert.Equal("k8s-pod-network.new", (await _ipam.GetAssignmentAsync(address))!.Value.Attribute.HandleId);
    }

    [Fact]
    public async Task TunnelAddressesGoOnlyWithTheirNodeAndDeletedNodesLoseTheirEmptyBlocks()
    {
        var tunnels = new TunnelAddresses(_ipam);
        var tunnelA = await tunnels.EnsureAsync("node-a", TunnelKind.Vxlan);
        Assert.Equal(tunnelA, await tunnels.EnsureAsync("node-a", TunnelKind.Vxlan)); // idempotent
        var tunnelB = await tunnels.EnsureAsync("node-b", TunnelKind.Ipip);

        await _store.Store.DeleteAsync(ResourceKinds.KubeNodes, "node-b");
        await _gc.RunOnceAsync();
        _time.Advance(Grace + TimeSpan.FromSeconds(1));
        var result = await _gc.RunOnceAsync();

        Assert.Equal([tunnelB], result.Released);
        Assert.Equal(["node-b"], result.NodesCleaned);
        Assert.NotNull(await _ipam.GetAssignmentAsync(tunnelA));
        Assert.DoesNotContain((await _store.Store.ListAsync(ResourceKinds.BlockAffinities)).Items, a => a.Spec.Node == "node-b");
        Assert.Empty((await new IpamChecker(_store.Store).CheckAsync(await WorkloadInventory.LoadAsync(_store.Store))).Problems);
    }

    [Fact]
    public async Task AnEmptyInventoryNextToOwnedBlocksReleasesNothing()
    {
        await AssignPodAsync("node-a", "p1");
        var blind = new IpamGarbageCollector(_ipam, _ => Task.FromResult(new WorkloadInventory(new HashSet<string>(), new Dictionary<string, PodRecord>())),
            new IpamGcOptions { LeakGracePeriod = TimeSpan.Zero }, _time);

        await blind.RunOnceAsync();
        var result = await blind.RunOnceAsync();

        Assert.Empty(result.Released);
        Assert.Single((await _store.Store.ListAsync(ResourceKinds.BlockAffinities)).Items);
    }

    [Fact]
    public async Task CheckReportsLeaksAndAddressesInUseWithoutAllocation()
    {
        var leaked = await AssignPodAsync("node-a", "gone");
        await AddPodAsync("squatter", "node-a", IPAddress.Parse("198.18.0.200"));
        await _ipam.AssignIpAsync(new AssignIpRequest { Address = IPAddress.Parse("198.18.0.201"), Host = "node-a" }); // claims the block

        var report = await new IpamChecker(_store.Store).CheckAsync(await WorkloadInventory.LoadAsync(_store.Store));

        Assert.Contains(report.Problems, p => p.Kind == IpamProblemKinds.LeakedAddress && p.Address == leaked.ToString());
        Assert.Contains(report.Problems, p => p.Kind == IpamProblemKinds.InUseWithoutAllocation && p.Address == "198.18.0.200");
        Assert.Contains(report.LeakedAddresses, l => l.Address == leaked.ToString() && l.Handle == "k8s-pod-network.gone");
    }

    private static Dictionary<string, string> PodAttributes(string pod, string node) =>
        new() { ["pod"] = pod, ["namespace"] = "default", ["node"] = node };

    private async Task<IPAddress> AssignPodAsync(string node, string pod) =>
        (await _ipam.AutoAssignAsync(new AutoAssignRequest
        {
            Host = node,
            HandleId = HandleNames.PodHandle(pod),
            IPv4Count = 1,
            Attributes = PodAttributes(pod, node),
        })).IPv4[0].Address;

    private Task<KubeNode> AddNodeAsync(string name) =>
        _store.Store.CreateAsync(ResourceKinds.KubeNodes, new KubeNode { Metadata = new ObjectMeta { Name = name } });

    private Task<Pod> AddPodAsync(string name, string node, IPAddress address) =>
        _store.Store.CreateAsync(ResourceKinds.Pods, new Pod
        {
            Metadata = new ObjectMeta { Name = name, Namespace = "default" },
            Spec = new PodSpec { NodeName = node },
            Status = new PodStatus { PodIP = address.ToString(), PodIPs = [new PodIPEntry { Ip = address.ToString() }] },
        });
}
