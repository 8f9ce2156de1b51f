using System.Net;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.RouteTable;
using Xunit;

namespace Tabby.Felix.Tests.RouteTable;

public sealed class RouteTableReconcilerTests
{
    private readonly FakeRouteKernel _kernel = new();
    private readonly ManualTimeProvider _time = new();
    private readonly RouteTableReconciler _reconciler;

    public RouteTableReconcilerTests() => _reconciler = new RouteTableReconciler(_kernel, time: _time);

    private static IPNetwork Net(string cidr) => IPNetwork.Parse(cidr);

    private Route? InKernel(string cidr) => _kernel.Routes.GetValueOrDefault((Net(cidr), RouteTables.Main));

    [Fact]
    public void Converges_from_empty_with_one_batch_and_then_does_nothing()
    {
        _reconciler.SetRoutes(RouteSource.LocalBlock, [DesiredRoute.Blackhole(Net("10.65.0.0/26"))]);
        _reconciler.SetRoutes(RouteSource.Bgp, [DesiredRoute.Via(Net("10.65.1.0/26"), IPAddress.Parse("192.0.2.2"), "eth0")]);

        var first = _reconciler.Reconcile();
        Assert.Equal(2, first.Added);
        Assert.True(first.Resynced);
        Assert.Equal(1, _kernel.ApplyCalls);
        Assert.Equal(RouteType.Blackhole, InKernel("10.65.0.0/26")!.Type);
        Assert.Equal(RouteProtocol.Felix, InKernel("10.65.1.0/26")!.Protocol);
        Assert.Equal(2, InKernel("10.65.1.0/26")!.InterfaceIndex);

        var second = _reconciler.Reconcile();
        Assert.Equal(0, second.Changes);
        Assert.Equal(1, _kernel.ApplyCalls);
    }

    [Fact]
    public void After_a_restart_our_old_routes_stay_until_told_they_may_go()
    {
        // What a previous run of the agent programmed (proto 80) is in the kernel at start.
        var previous = new RouteTableReconciler(_kernel, time: _time);
        previous.SetRoutes(RouteSource.Bgp, [DesiredRoute.Via(Net("10.65.1.0/26"), IPAddress.Parse("192.0.2.2"), "eth0"),
            DesiredRoute.Via(Net("10.65.3.0/26"), IPAddress.Parse("192.0.2.3"), "eth0")]);
        previous.Reconcile();

        _reconciler.KeepUnwanted = true;
        _reconciler.SetRoutes(RouteSource.LocalBlock, [DesiredRoute.Blackhole(Net("10.65.0.0/26"))]);
        var start = _reconciler.Reconcile();
        Assert.Equal(0, start.Deleted);
        Assert.NotNull(InKernel("10.65.1.0/26"));

        // BGP re-learns one of them, then reports it is in sync: only the other goes.
        _reconciler.SetRoute(RouteSource.Bgp, DesiredRoute.Via(Net("10.65.1.0/26"), IPAddress.Parse("192.0.2.2"), "eth0"));
        _reconciler.KeepUnwanted = false;
        var synced = _reconciler.Reconcile();

        Assert.Equal(1, synced.Deleted);
        Assert.NotNull(InKernel("10.65.1.0/26"));
        Assert.Null(InKernel("10.65.3.0/26"));
        Assert.NotNull(InKernel("10.65.0.0/26"));
    }

    [Fact]
    public void The_lower_source_wins_regardless_of_update_order()
    {
        var block = Net("10.65.2.0/26");
        _reconciler.SetRoute(RouteSource.Bgp, DesiredRoute.Via(block, IPAddress.Parse("192.0.2.9"), "eth0"));
        _reconciler.SetRoute(RouteSource.LocalBlock, DesiredRoute.Blackhole(block));
        _reconciler.Reconcile();
        Assert.Equal(RouteType.Blackhole, InKernel("10.65.2.0/26")!.Type);

        _reconciler.RemoveRoute(RouteSource.LocalBlock, block);
        Assert.Equal(1, _reconciler.Reconcile().Replaced);
        Assert.Equal(IPAddress.Parse("192.0.2.9"), InKernel("10.65.2.0/26")!.Gateway);

        _reconciler.RemoveRoute(RouteSource.Bgp, block);
        Assert.Equal(1, _reconciler.Reconcile().Deleted);
        Assert.Null(InKernel("10.65.2.0/26"));
    }

    [Fact]
    public void Foreign_routes_are_never_touched_and_a_conflict_is_retried_with_backoff()
    {
        var foreign = new Route(Net("10.65.3.0/26")) { Gateway = IPAddress.Parse("192.0.2.1"), InterfaceIndex = 2, Protocol = RouteProtocol.Bird };
        var other = new Route(Net("10.99.0.0/16")) { Type = RouteType.Blackhole, Protocol = RouteProtocol.Static };
        _kernel.Routes[(foreign.Destination, RouteTables.Main)] = foreign;
        _kernel.Routes[(other.Destination, RouteTables.Main)] = other;

        _reconciler.SetRoutes(RouteSource.LocalBlock, [DesiredRoute.Blackhole(foreign.Destination)]);
        var result = _reconciler.Reconcile();
        Assert.Equal(1, result.Failed);
        Assert.Equal(_time.GetUtcNow() + _reconciler.Options.InitialRetryDelay, result.NextRetry);
        Assert.Same(foreign, InKernel("10.65.3.0/26"));
        Assert.Same(other, InKernel("10.99.0.0/16"));

        // Not retried before the back-off expires, then retried with a doubled delay.
        Assert.Equal(0, _reconciler.Reconcile().Failed);
        _time.Advance(_reconciler.Options.InitialRetryDelay);
        var retry = _reconciler.Reconcile();
        Assert.Equal(1, retry.Failed);
        Assert.Equal(_time.GetUtcNow() + 2 * _reconciler.Options.InitialRetryDelay, retry.NextRetry);

        // Once the other owner withdraws, ours goes in.
        _kernel.Routes.Remove((foreign.Destination, RouteTables.Main));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _reconciler.Reconcile().Added);
        Assert.Equal(RouteProtocol.Felix, InKernel("10.65.3.0/26")!.Protocol);
        Assert.Same(other, InKernel("10.99.0.0/16"));
    }

    [Fact]
    public void A_failed_change_is_retried_and_does_not_block_the_others()
    {
        _kernel.FailNext[Net("10.65.4.0/26")] = Errno.ENOMEM;
        _reconciler.SetRoutes(RouteSource.LocalBlock, [DesiredRoute.Blackhole(Net("10.65.4.0/26")), DesiredRoute.Blackhole(Net("10.65.5.0/26"))]);
        var first = _reconciler.Reconcile();
        Assert.Equal((1, 1), (first.Added, first.Failed));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _reconciler.Reconcile().Added);
        Assert.NotNull(InKernel("10.65.4.0/26"));
    }

    [Fact]
    public void Drift_is_repaired_by_a_resync()
    {
        _reconciler.SetRoutes(RouteSource.LocalBlock, [DesiredRoute.Blackhole(Net("10.65.6.0/26")), DesiredRoute.Blackhole(Net("10.65.7.0/26"))]);
        _reconciler.Reconcile();

        _kernel.Routes.Remove((Net("10.65.6.0/26"), RouteTables.Main));
        _kernel.Routes[(Net("10.65.7.0/26"), RouteTables.Main)] = new Route(Net("10.65.7.0/26")) { Type = RouteType.Unreachable, Protocol = RouteProtocol.Felix };
        var stray = new Route(Net("10.65.8.0/26")) { Type = RouteType.Blackhole, Protocol = RouteProtocol.Felix };
        _kernel.Routes[(stray.Destination, RouteTables.Main)] = stray;

        Assert.Equal(0, _reconciler.Reconcile().Changes);
        _reconciler.QueueResync();
        var repaired = _reconciler.Reconcile();
        Assert.Equal((1, 1, 1), (repaired.Added, repaired.Replaced, repaired.Deleted));
        Assert.Equal(RouteType.Blackhole, InKernel("10.65.7.0/26")!.Type);
        Assert.Null(InKernel("10.65.8.0/26"));
    }

    [Fact]
    public void A_route_event_marks_only_that_destination()
    {
        _reconciler.SetRoutes(RouteSource.LocalBlock, [DesiredRoute.Blackhole(Net("10.65.9.0/26"))]);
        _reconciler.Reconcile();
        var ours = InKernel("10.65.9.0/26")!;
        _kernel.Routes.Remove((ours.Destination, RouteTables.Main));
        var lists = _kernel.ListCalls;

        _reconciler.OnKernelEvent(new NetlinkEvent(NetlinkEventKind.RouteRemoved) { Route = ours });
        Assert.Equal(1, _reconciler.Reconcile().Added);
        Assert.Equal(lists, _kernel.ListCalls);
    }

    [Fact]
    public void Routes_wait_for_late_interfaces_and_follow_a_changed_ifindex()
    {
        var workload = EncapsulationRoutes.Workload(IPAddress.Parse("10.65.10.5"), "cali1");
        _reconciler.SetRoute(RouteSource.Workload, workload);
        var waiting = _reconciler.Reconcile();
        Assert.Equal((0, 1), (waiting.Added, waiting.WaitingForInterface));

        _kernel.Interfaces["cali1"] = 7;
        _reconciler.OnKernelEvent(new NetlinkEvent(NetlinkEventKind.LinkChanged));
        Assert.Equal(1, _reconciler.Reconcile().Added);
        Assert.Equal(7, InKernel("10.65.10.5/32")!.InterfaceIndex);

        // The device is recreated with a new index; the kernel dropped the old route with it.
        _kernel.Interfaces["cali1"] = 9;
        _kernel.Routes.Remove((Net("10.65.10.5/32"), RouteTables.Main));
        _reconciler.OnKernelEvent(new NetlinkEvent(NetlinkEventKind.LinkChanged));
        Assert.Equal(1, _reconciler.Reconcile().Added);
        Assert.Equal(9, InKernel("10.65.10.5/32")!.InterfaceIndex);
    }

    [Fact]
    public void Ipv6_routes_get_the_kernel_default_metric_so_they_compare_equal()
    {
        _reconciler.SetRoute(RouteSource.LocalBlock, DesiredRoute.Blackhole(Net("2001:db8:65::/122")));
        _reconciler.Reconcile();
        Assert.Equal(1024u, InKernel("2001:db8:65::/122")!.Metric);
        _reconciler.QueueResync();
        Assert.Equal(0, _reconciler.Reconcile().Changes);
    }

    [Fact]
    public void Invalid_desired_routes_are_rejected_with_the_reason()
    {
        var noHop = Assert.Throws<ArgumentException>(() => _reconciler.SetRoute(RouteSource.Bgp, new DesiredRoute(Net("10.0.0.0/24"))));
        Assert.Contains("needs at least one next hop", noHop.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => _reconciler.SetRoute(RouteSource.Bgp, DesiredRoute.Via(Net("10.0.0.0/24"), IPAddress.Parse("2001:db8::1"), "eth0")));
    }

    [Fact]
    public void Entries_name_the_winning_source_and_whether_the_kernel_holds_the_route()
    {
        _reconciler.SetRoutes(RouteSource.LocalBlock, [DesiredRoute.Blackhole(Net("10.65.0.0/26"))]);
        _reconciler.SetRoutes(RouteSource.Bgp, [DesiredRoute.Via(Net("10.65.0.0/26"), IPAddress.Parse("192.0.2.2"), "eth0"),
            DesiredRoute.Via(Net("10.65.1.0/26"), IPAddress.Parse("192.0.2.2"), "eth0")]);
        Assert.All(_reconciler.Entries(), e => Assert.False(e.Programmed));

        _reconciler.Reconcile();
        var entries = _reconciler.Entries().OrderBy(e => e.Route.Destination.ToString(), StringComparer.Ordinal).ToList();

        Assert.Equal(2, entries.Count);
        Assert.Equal(RouteSource.LocalBlock, entries[0].Source); // the local block beats a remote copy
        Assert.Equal(RouteSource.Bgp, entries[1].Source);
        Assert.All(entries, e => Assert.True(e.Programmed));

        var deleted = InKernel("10.65.1.0/26")!;
        _kernel.Routes.Remove((Net("10.65.1.0/26"), RouteTables.Main)); // someone deleted it behind our back
        _reconciler.OnKernelEvent(new NetlinkEvent(NetlinkEventKind.RouteRemoved) { Route = deleted });
        Assert.False(_reconciler.Entries().Single(e => e.Route.Destination == Net("10.65.1.0/26")).Programmed);
    }
}
