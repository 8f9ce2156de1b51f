using System.Net;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Links;
using Tabby.Testing;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Felix.Tests.Netlink;

public sealed class MonitorAndDumpKernelTests
{
    [RootFact]
    public async Task The_monitor_reports_link_address_and_route_changes()
    {
        using var t = new NamespaceClient("monitor");
        using var monitor = NetlinkMonitor.StartInNamespace(t.Namespace.NamespacePath);
        var seen = new List<NetlinkEvent>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reader = Task.Run(async () =>
        {
            await foreach (var e in monitor.Events.ReadAllAsync(stop.Token))
            {
                lock (seen)
                {
                    seen.Add(e);
                }
            }
        });

        t.Namespace.Ip("link", "add", "m0", "type", "veth", "peer", "name", "m1");
        t.Namespace.AddAddress("m0", "192.0.2.1/24");
        t.Namespace.AddRoute("10.80.0.0/24", "via", "192.0.2.2", "proto", "80");
        t.Namespace.Ip("route", "del", "10.80.0.0/24", "proto", "80");
        t.Namespace.Ip("link", "del", "m0");

        bool Saw(Func<NetlinkEvent, bool> match)
        {
            lock (seen)
            {
                return seen.Any(match);
            }
        }

        await Wait.UntilAsync(() =>
            Saw(e => e.Kind == NetlinkEventKind.LinkChanged && e.Link!.Name == "m0")
            && Saw(e => e.Kind == NetlinkEventKind.AddressAdded && e.Address!.Address.Equals(IPAddress.Parse("192.0.2.1")))
            && Saw(e => e.Kind == NetlinkEventKind.RouteAdded && e.Route!.Destination.ToString() == "10.80.0.0/24" && e.Route.Protocol == 80)
            && Saw(e => e.Kind == NetlinkEventKind.RouteRemoved && e.Route!.Destination.ToString() == "10.80.0.0/24")
            && Saw(e => e.Kind == NetlinkEventKind.LinkRemoved && e.Link!.Name == "m0"),
            TimeSpan.FromSeconds(5), "link, address and route events",
            () => string.Join("\n", seen.Select(e => $"{e.Kind} {e.Link?.Name}{e.Address}{e.Route}")));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader);
    }

    [RootFact]
    public void A_link_dump_racing_with_link_changes_is_detected_and_re_read()
    {
        using var t = new NamespaceClient("dumpintr");
        // Enough devices that a dump spans many datagrams, so a change can land between two of them.
        for (var i = 0; i < 150; i++)
        {
            t.Client.CreateVeth(new VethSpec($"d{i}a", $"d{i}b"));
        }

        using var churnClient = NetlinkClient.OpenInNamespace(t.Namespace.NamespacePath);
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                churnClient.CreateVeth(new VethSpec("churna", "churnb"));
                churnClient.DeleteLink("churna");
                Thread.Sleep(2);
            }
        });

        var consistentDumps = 0;
        try
        {
            // The loop ends as soon as both were seen; the bound only keeps an unlucky run finite.
            for (var attempt = 0; attempt < 2000 && (t.Client.Socket.InterruptedDumps == 0 || consistentDumps == 0); attempt++)
            {
                try
                {
                    var links = t.Client.ListLinks();
                    // Whatever was read is a consistent snapshot: no device twice, all 300 fixed ones present.
                    Assert.Equal(links.Count, links.Select(l => l.Index).Distinct().Count());
                    Assert.Equal(300, links.Count(l => l.Name.StartsWith('d')));
                    consistentDumps++;
                }
                catch (NetlinkException e) when (e.Errno == Errno.EINTR)
                {
                    // Interrupted ten times in a row: also a detection.
                }
            }
        }
        finally
        {
            stop.Cancel();
            churn.Wait();
        }

        Assert.True(t.Client.Socket.InterruptedDumps > 0, "no dump was ever flagged NLM_F_DUMP_INTR");
        Assert.True(consistentDumps > 0);
    }
}
