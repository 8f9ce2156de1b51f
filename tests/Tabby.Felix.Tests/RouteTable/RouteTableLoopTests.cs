using System.Net;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.RouteTable;
using Tabby.Testing;
using Xunit;

namespace Tabby.Felix.Tests.RouteTable;

/// <summary>The reconcile loop against the fake kernel: wake-ups, retries after read failures.</summary>
public sealed class RouteTableLoopTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static bool Has(FakeRouteKernel kernel, string cidr)
    {
        lock (kernel.Routes)
        {
            return kernel.Routes.ContainsKey((IPNetwork.Parse(cidr), RouteTables.Main));
        }
    }

    [Fact]
    public async Task The_loop_survives_unreadable_kernels_and_applies_later_changes_promptly()
    {
        var kernel = new FakeRouteKernel { FailLists = 3 };
        var reconciler = new RouteTableReconciler(kernel, new RouteTableOptions
        {
            InitialRetryDelay = TimeSpan.FromMilliseconds(10),
            ResyncInterval = TimeSpan.FromMinutes(10),
        });
        reconciler.SetRoute(RouteSource.LocalBlock, DesiredRoute.Blackhole(IPNetwork.Parse("10.71.0.0/26")));
        using var stop = new CancellationTokenSource();
        var run = reconciler.RunAsync(stop.Token);
        try
        {
            await Wait.UntilAsync(() => Has(kernel, "10.71.0.0/26"), Bound, "route after three failed reads");
            Assert.True(kernel.ListCalls >= 4);

            // A change long before the next resync is applied at once.
            reconciler.SetRoute(RouteSource.LocalBlock, DesiredRoute.Blackhole(IPNetwork.Parse("10.71.1.0/26")));
            await Wait.UntilAsync(() => Has(kernel, "10.71.1.0/26"), Bound, "route after a change");
            reconciler.RemoveRoute(RouteSource.LocalBlock, IPNetwork.Parse("10.71.0.0/26"));
            await Wait.UntilAsync(() => !Has(kernel, "10.71.0.0/26"), Bound, "withdrawn route removed");
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }
}
