using System.Net;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.Netlink.Wire;
using Tabby.Felix.RouteTable;
using Tabby.Testing;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Felix.Tests.RouteTable;

/// <summary>The reconciler against a real kernel table in a namespace.</summary>
public sealed class KernelReconcileTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static NamespaceClient Node()
    {
        var t = new NamespaceClient("reconcile");
        t.Namespace.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0p");
        t.Namespace.Ip("link", "set", "eth0p", "up");
        t.Namespace.AddAddress("eth0", "192.0.2.1/24");
        return t;
    }

    private static List<DesiredRoute> Blocks(int count, int offset = 0) =>
        [.. Enumerable.Range(offset, count).Select(i => DesiredRoute.Via(IPNetwork.Parse($"10.{70 + i / 1024}.{i / 4 % 256}.{i % 4 * 64}/26"), IPAddress.Parse("192.0.2.2"), "eth0"))];

    private static HashSet<string> Ours(NamespaceClient t) =>
        [.. t.Client.ListRoutes(Family.Inet, protocol: RouteProtocol.Felix).Select(r => r.ToString())];

    [RootFact]
    public void Converges_from_empty_and_leaves_a_table_full_of_foreign_routes_alone()
    {
        using var t = Node();
        // 2,000 routes of other owners, one of them on a destination we want.
        var foreign = Enumerable.Range(0, 2000).Select(i => $"route add 10.90.{i / 256}.{i % 256}/32 via 192.0.2.3 proto static").ToList();
        foreign.Add("route add 10.70.0.0/26 via 192.0.2.3 proto bird");
        var batchFile = Path.Combine(t.Namespace.ScratchDirectory, "foreign.batch");
        File.WriteAllLines(batchFile, foreign);
        t.Namespace.Ip("-batch", batchFile);
        var before = t.Namespace.Ip("route", "show").StandardOutput.Split('\n').Where(l => !l.Contains("proto 80", StringComparison.Ordinal)).ToList();

        var reconciler = new RouteTableReconciler(new NetlinkRouteKernel(t.Client));
        reconciler.SetRoutes(RouteSource.Bgp, Blocks(500));
        reconciler.SetRoute(RouteSource.LocalBlock, DesiredRoute.Blackhole(IPNetwork.Parse("10.69.0.0/26")));
        var result = reconciler.Reconcile();

        Assert.Equal(500, result.Added); // 499 blocks + the blackhole; the bird route's destination is refused
        Assert.Equal(1, result.Failed);
        Assert.Equal(500, Ours(t).Count);
        var after = t.Namespace.Ip("route", "show").StandardOutput.Split('\n').Where(l => !l.Contains("proto 80", StringComparison.Ordinal)).ToList();
        Assert.Equal(before, after);
        Assert.Equal(0, reconciler.Reconcile().Changes);

        reconciler.SetRoutes(RouteSource.Bgp, []);
        Assert.Equal(499, reconciler.Reconcile().Deleted);
        Assert.Single(Ours(t));
        Assert.Equal(before, t.Namespace.Ip("route", "show").StandardOutput.Split('\n').Where(l => !l.Contains("proto 80", StringComparison.Ordinal)).ToList());
    }

    [RootFact]
    public async Task Routes_someone_deletes_or_changes_are_repaired_by_events_and_by_the_periodic_resync()
    {
        using var t = Node();
        using var monitor = NetlinkMonitor.StartInNamespace(t.Namespace.NamespacePath);
        var reconciler = new RouteTableReconciler(new NetlinkRouteKernel(t.Client), new RouteTableOptions { ResyncInterval = TimeSpan.FromSeconds(1) });
        reconciler.SetRoutes(RouteSource.Bgp, Blocks(50));
        using var stop = new CancellationTokenSource();
        var run = reconciler.RunAsync(stop.Token);
        var follow = reconciler.FollowAsync(monitor, stop.Token);
        try
        {
            var expected = Blocks(50).Select(d => reconciler.Wanted(d.Destination)!.ToString()).ToHashSet();
            await Wait.UntilAsync(() => Ours(t).SetEquals(expected), Bound, "initial convergence");

            // Deleted by hand: the RTM_DELROUTE event brings it back.
            t.Namespace.Ip("route", "del", "10.70.0.0/26", "proto", "80");
            // Changed by hand: replaced with another next hop of our protocol.
            t.Namespace.Ip("route", "replace", "10.70.0.64/26", "via", "192.0.2.9", "proto", "80");
            // A stray route of our protocol that nobody wants.
            t.Namespace.Ip("route", "add", "10.99.0.0/26", "via", "192.0.2.9", "proto", "80");
            await Wait.UntilAsync(() => Ours(t).SetEquals(expected), Bound, "repair of our routes",
                () => string.Join("\n", Ours(t).Except(expected)));
        }
        finally
        {
            await stop.CancelAsync();
            await run;
            await follow;
        }
    }

    [RootFact]
    public async Task Routes_come_back_after_an_interface_flaps_or_is_recreated()
    {
        using var t = Node();
        using var monitor = NetlinkMonitor.StartInNamespace(t.Namespace.NamespacePath);
        // A long resync interval: only events may drive the repair.
        var reconciler = new RouteTableReconciler(new NetlinkRouteKernel(t.Client), new RouteTableOptions { ResyncInterval = TimeSpan.FromMinutes(10) });
        reconciler.SetRoutes(RouteSource.Bgp, Blocks(20));
        reconciler.SetRoute(RouteSource.Workload, EncapsulationRoutes.Workload(IPAddress.Parse("10.69.1.5"), "cali1"));
        using var stop = new CancellationTokenSource();
        var run = reconciler.RunAsync(stop.Token);
        var follow = reconciler.FollowAsync(monitor, stop.Token);
        try
        {
            await Wait.UntilAsync(() => Ours(t).Count == 20, Bound, "bgp routes");

            // The workload interface appears late.
            t.Namespace.Ip("link", "add", "cali1", "type", "veth", "peer", "name", "cali1p");
            t.Namespace.Ip("link", "set", "cali1", "up");
            await Wait.UntilAsync(() => Ours(t).Count == 21, Bound, "workload route after its interface appeared");

            // Down and up again: the kernel silently drops every route via eth0.
            t.Namespace.Ip("link", "set", "eth0", "down");
            t.Namespace.Ip("link", "set", "eth0", "up");
            await Wait.UntilAsync(() => Ours(t).Count == 21, Bound, "routes after eth0 flapped");

            // Recreated with a new ifindex.
            var oldIndex = t.IndexOf("cali1");
            t.Namespace.Ip("link", "del", "cali1");
            t.Namespace.Ip("link", "add", "cali1", "type", "veth", "peer", "name", "cali1p");
            t.Namespace.Ip("link", "set", "cali1", "up");
            var newIndex = t.IndexOf("cali1");
            Assert.NotEqual(oldIndex, newIndex);
            await Wait.UntilAsync(() => reconciler.Wanted(IPNetwork.Parse("10.69.1.5/32"))?.InterfaceIndex == newIndex
                && Ours(t).Contains(reconciler.Wanted(IPNetwork.Parse("10.69.1.5/32"))!.ToString()), Bound, "workload route on the new ifindex");
        }
        finally
        {
            await stop.CancelAsync();
            await run;
            await follow;
        }
    }

    [RootFact]
    public void Every_route_kind_read_back_from_the_kernel_compares_equal_so_a_resync_changes_nothing()
    {
        using var t = Node();
        t.Namespace.AddAddress("eth0", "2001:db8::1/64");
        t.Namespace.Ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1p");
        t.Namespace.Ip("link", "set", "eth1p", "up");
        t.Namespace.AddAddress("eth1", "198.51.100.1/24");
        t.Namespace.Ip("link", "add", "cali1", "type", "veth", "peer", "name", "cali1p");
        t.Namespace.Ip("link", "set", "cali1", "up");
        var reconciler = new RouteTableReconciler(new NetlinkRouteKernel(t.Client));
        var routes = new EncapsulationRoutes([new LocalSubnet("eth0", IPNetwork.Parse("192.0.2.0/24")), new LocalSubnet("eth1", IPNetwork.Parse("198.51.100.0/24"))]);
        reconciler.SetRoutes(RouteSource.LocalBlock, [EncapsulationRoutes.LocalBlock(IPNetwork.Parse("10.69.0.0/26")), EncapsulationRoutes.LocalBlock(IPNetwork.Parse("2001:db8:69::/122"))]);
        reconciler.SetRoutes(RouteSource.Workload, [EncapsulationRoutes.Workload(IPAddress.Parse("10.69.0.5"), "cali1"), EncapsulationRoutes.Workload(IPAddress.Parse("2001:db8:69::5"), "cali1")]);
        reconciler.SetRoutes(RouteSource.Bgp,
        [
            routes.RemoteBlock(IPNetwork.Parse("10.69.1.0/26"), PoolEncapsulation.None, [new RemotePath(IPAddress.Parse("192.0.2.2")), new RemotePath(IPAddress.Parse("198.51.100.2"))]),
            routes.RemoteBlock(IPNetwork.Parse("10.69.2.0/26"), PoolEncapsulation.None, [new RemotePath(IPAddress.Parse("192.0.2.3"))]),
            DesiredRoute.Via(IPNetwork.Parse("2001:db8:69:1::/122"), IPAddress.Parse("2001:db8::2"), "eth0"),
            new DesiredRoute(IPNetwork.Parse("2001:db8:69:2::/122"))
            {
                NextHops = [new DesiredNextHop(IPAddress.Parse("2001:db8::2"), "eth0"), new DesiredNextHop(IPAddress.Parse("2001:db8::3"), "eth0")],
            },
            DesiredRoute.Unreachable(IPNetwork.Parse("10.69.3.0/26")),
            DesiredRoute.Via(IPNetwork.Parse("10.69.4.0/26"), IPAddress.Parse("203.0.113.7"), "eth0", onLink: true),
        ]);

        var first = reconciler.Reconcile();
        Assert.Equal((10, 0), (first.Added, first.Failed));
        reconciler.QueueResync();
        var again = reconciler.Reconcile();
        Assert.True(again.Resynced);
        var kernel = t.Client.ListRoutes(Family.Inet, protocol: RouteProtocol.Felix).Concat(t.Client.ListRoutes(Family.Inet6, protocol: RouteProtocol.Felix)).ToList();
        Assert.True(again.Changes == 0, string.Join("\n", kernel.Select(k => $"kernel {k} scope {k.Scope}\nwanted {reconciler.Wanted(k.Destination)} scope {reconciler.Wanted(k.Destination)?.EffectiveScope}")));
        Assert.Equal(10, kernel.Count);
    }
}
