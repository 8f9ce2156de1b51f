using System.Net;
using Tabby.Felix.Nat;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.Netlink.Wire;
using Tabby.Felix.RouteTable;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Felix.Tests.EndToEnd;

/// <summary>Pods on different nodes reach each other over the routes Tabby programs, in each mode.</summary>
public sealed class DataplaneEndToEndTests
{
    private static void AssertPing(LabNode from, LabNode to)
    {
        var (ok, output) = from.PingFromPod(to.PodIp);
        Assert.True(ok, $"pod on {from.Name} -> pod on {to.Name}:\n{output}\n{from.Namespace.Ip("route", "show").StandardOutput}");
    }

    [RootFact]
    public void No_encapsulation_on_a_shared_subnet()
    {
        using var lab = new Lab();
        var a = lab.AddNode("a", 1, onLan: true);
        var b = lab.AddNode("b", 2, onLan: true);
        lab.Program(PoolEncapsulation.None);

        var route = a.Client.ListRoutes(Family.Inet, protocol: RouteProtocol.Felix).Single(r => r.Destination.Equals(b.Block));
        Assert.Equal(b.NodeIp, route.Gateway);
        AssertPing(a, b);
        AssertPing(b, a);
    }

    [RootFact]
    public void Vxlan_always_crosses_a_router_that_knows_no_pod_addresses()
    {
        using var lab = new Lab();
        var a = lab.AddNode("a", 1, onLan: true);
        var c = lab.AddNode("c", 3, onLan: false);
        lab.Program(new PoolEncapsulation(Vxlan: EncapsulationMode.Always));

        var route = a.Client.ListRoutes(Family.Inet, protocol: RouteProtocol.Felix).Single(r => r.Destination.Equals(c.Block));
        Assert.Equal(c.TunnelIp, route.Gateway);
        Assert.True(route.OnLink);
        AssertPing(a, c);
        AssertPing(c, a);
    }

    [RootFact]
    public void CrossSubnet_goes_direct_on_the_subnet_and_encapsulates_across_the_router()
    {
        using var lab = new Lab();
        var a = lab.AddNode("a", 1, onLan: true);
        var b = lab.AddNode("b", 2, onLan: true);
        var c = lab.AddNode("c", 3, onLan: false);
        lab.Program(new PoolEncapsulation(Vxlan: EncapsulationMode.CrossSubnet));

        var routes = a.Client.ListRoutes(Family.Inet, protocol: RouteProtocol.Felix).ToDictionary(r => r.Destination);
        Assert.Equal(b.NodeIp, routes[b.Block].Gateway);
        Assert.False(routes[b.Block].OnLink);
        Assert.Equal(c.TunnelIp, routes[c.Block].Gateway);
        Assert.True(routes[c.Block].OnLink);
        AssertPing(a, b);
        AssertPing(a, c);
        AssertPing(c, b);
    }

    [RootFact]
    public async Task Nat_outgoing_masquerades_pod_traffic_leaving_the_pools_and_is_removed_cleanly()
    {
        using var lab = new Lab();
        var a = lab.AddNode("a", 1, onLan: true);
        var b = lab.AddNode("b", 2, onLan: true);
        lab.Program(PoolEncapsulation.None);
        // The outside network counts the sources it sees.
        lab.External.Exec("nft", "add table ip observe; add chain ip observe input { type filter hook input priority 0; }; "
            + $"add rule ip observe input ip saddr {a.NodeIp} icmp type echo-request counter; "
            + "add rule ip observe input ip saddr 10.65.0.0/16 icmp type echo-request counter");
        var outside = IPAddress.Parse("203.0.113.10");

        // Without NAT the pod address reaches the outside, which cannot answer (no route to pods).
        Assert.False(a.PingFromPod(outside).Ok);

        var nat = new NatOutgoingManager(new NftRunner(["ip", "netns", "exec", a.Namespace.Name]));
        var pools = new[] { new NatPool(IPNetwork.Parse("10.65.0.0/16"), NatOutgoing: true) };
        Assert.True(await nat.UpdateAsync(pools));
        Assert.False(await nat.UpdateAsync(pools));
        var (ok, output) = a.PingFromPod(outside);
        Assert.True(ok, output);
        var counters = lab.External.Exec("nft", "list", "chain", "ip", "observe", "input").StandardOutput;
        Assert.Matches($@"ip saddr {a.NodeIp} icmp type echo-request counter packets [1-9]", counters);

        // Someone deletes the table: a forced resync puts it back.
        a.Namespace.Exec("nft", "delete", "table", "ip", "tabby-nat");
        Assert.False(await nat.UpdateAsync(pools));
        Assert.True(await nat.UpdateAsync(pools, force: true));
        Assert.Contains("masquerade", a.Namespace.Exec("nft", "list", "table", "ip", "tabby-nat").StandardOutput, StringComparison.Ordinal);

        // Traffic between pools is never masqueraded: b sees the pod's own address.
        b.Namespace.Exec("nft", "add table ip observe; add chain ip observe input { type filter hook forward priority 0; }; "
            + $"add rule ip observe input ip saddr {a.PodIp} counter");
        AssertPing(a, b);
        Assert.Matches("counter packets [1-9]", b.Namespace.Exec("nft", "list", "chain", "ip", "observe", "input").StandardOutput);

        // Pool changes replace the sets atomically: once the pool is not natOutgoing, no masquerade.
        Assert.True(await nat.UpdateAsync([new NatPool(IPNetwork.Parse("10.65.0.0/16"), NatOutgoing: false)]));
        a.Namespace.Run("conntrack", "-F");
        Assert.False(a.PingFromPod(outside).Ok);

        await nat.RemoveAsync();
        Assert.DoesNotContain("tabby-nat", a.Namespace.Exec("nft", "list", "tables").StandardOutput, StringComparison.Ordinal);
    }
}
