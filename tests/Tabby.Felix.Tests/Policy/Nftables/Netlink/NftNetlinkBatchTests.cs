using Tabby.Felix.Policy.Nftables;
using Tabby.Felix.Policy.Nftables.Netlink;
using Tabby.Testing.Namespaces;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Felix.Tests.Policy.Nftables.Netlink;

/// <summary>
/// The netlink encoder against nft itself: the same operations go through nft into one namespace
/// and through <see cref="NftNetlinkBatch"/> into another, and nft must list both tables the same
/// (nft decodes our expressions back into rule text, so a wrong field, register, byte order or a
/// missing dependency shows up as a different listing).
/// </summary>
public sealed class NftNetlinkBatchTests : IDisposable
{
    private const string Table = "tabby-policy";

    private const string Base = $"""
        add table inet {Table}
        add set inet {Table} s4-a {"{"} type ipv4_addr; {"}"}
        add set inet {Table} s6-a {"{"} type ipv6_addr; {"}"}
        add set inet {Table} n4-a {"{"} type ipv4_addr . inet_proto . inet_service; {"}"}
        add set inet {Table} n6-a {"{"} type ipv6_addr . inet_proto . inet_service; {"}"}
        add set inet {Table} p-a {"{"} type inet_service; {"}"}
        add set inet {Table} endpoint-ifaces {"{"} type ifname; {"}"}
        add map inet {Table} to-endpoint {"{"} type ifname : verdict; {"}"}
        add chain inet {Table} pi-a
        add chain inet {Table} in-a
        add element inet {Table} to-endpoint {"{"} "tb9" : jump in-a {"}"}
        add element inet {Table} s4-a {"{"} 198.18.0.9 {"}"}

        """;

    /// <summary>Every shape of rule the renderers write into non-base chains.</summary>
    private static readonly string[] Rules =
    [
        "meta mark set meta mark & 0xfffcffff",
        "meta mark & 0x00030000 == 0x00000000 jump pi-a comment \"default/prod/knp.default.web\"",
        "meta mark & 0x00030000 == 0x00000000 drop comment \"tier default default deny\"",
        "meta mark set meta mark & 0xfffdffff",
        "ip saddr 198.18.0.0/16 drop comment \"prod/x ingress[0]\"",
        "ip saddr 198.18.0.0/15 drop",
        "ip saddr 198.18.0.7 drop",
        "ip6 saddr 2001:db8::/32 drop",
        "ip6 daddr 2001:db8:0:1::/63 drop",
        "meta l4proto tcp ip saddr @s4-a th dport 8080 meta mark set meta mark | 0x00010000 return comment \"a\"",
        "meta l4proto tcp ip saddr @s4-a ip daddr . meta l4proto . th dport @n4-a meta mark set meta mark | 0x00010000 return comment \"b\"",
        "meta l4proto tcp ip6 saddr @s6-a ip6 daddr . meta l4proto . th dport @n6-a meta mark set meta mark | 0x00010000 return",
        "meta l4proto tcp ip saddr @s4-a th dport 6000-6010 meta mark set meta mark | 0x00010000 return",
        "meta l4proto tcp ip saddr != @s4-a th dport @p-a meta mark set meta mark | 0x00020000 return",
        "meta l4proto udp ip daddr != 10.0.0.0/8 ip daddr 10.1.2.3 th dport 53 meta mark set meta mark | 0x00010000 return",
        "meta l4proto udp th dport != 53 th dport != 1-5 th sport != @p-a drop",
        "meta l4proto != udp meta nfproto ipv6 drop",
        "meta nfproto ipv4 meta l4proto sctp accept",
        "meta l4proto icmp icmp type 8 icmp code 0 log prefix \"tabby-policy default/x 0: \" comment \"x egress[0]\"",
        "meta l4proto icmp icmp type != 3 drop",
        "meta l4proto ipv6-icmp icmpv6 type 128 drop",
        "ip daddr . meta l4proto . th dport != @n4-a drop",
        "ip saddr != @s4-a ip saddr != 192.0.2.0/24 ip saddr != 198.51.100.0/25 drop",
        "meta l4proto 47 drop",
        "ip saddr @s4-a goto pi-a comment \"p allow\"",
    ];

    private readonly NetworkNamespace _viaNft = NetworkNamespace.Create("nlnft");
    private readonly NetworkNamespace _viaNetlink = NetworkNamespace.Create("nlnl");

    public void Dispose()
    {
        _viaNft.Dispose();
        _viaNetlink.Dispose();
    }

    [RootFact]
    public async Task EveryRuleShapeListsLikeNftsOwnEncoding()
    {
        await new NftProcessRunner(_viaNft.Name).ApplyAsync(Base);
        await new NftProcessRunner(_viaNetlink.Name).ApplyAsync(Base);
        var script = new NftScriptTransaction(Table);
        using var batch = new NftNetlinkBatch(Table);
        var netlink = batch.AsTransaction();
        foreach (var t in new INftTransaction[] { script, netlink })
        {
            t.AddChain("po-new", null);
            foreach (var rule in Rules)
            {
                t.AddRule("po-new", rule);
            }

            t.FlushChain("pi-a");
            t.AddRule("pi-a", "drop");
        }

        await new NftProcessRunner(_viaNft.Name).ApplyAsync(script.ToString());
        using var runner = new NftProcessRunner(_viaNetlink.Name);
        await runner.ApplyNetlinkAsync(batch, script.ToString);

        var expected = List(_viaNft);
        Assert.Contains("ip daddr . meta l4proto . tcp dport @n4-a", expected, StringComparison.Ordinal);
        Assert.Equal(expected, List(_viaNetlink));
    }

    [RootFact]
    public async Task SetsElementsMapsAndDeletionsListLikeNft()
    {
        await new NftProcessRunner(_viaNft.Name).ApplyAsync(Base);
        await new NftProcessRunner(_viaNetlink.Name).ApplyAsync(Base);
        var named = new NftSet("n4-b", "ipv4_addr . inet_proto . inet_service", false, new HashSet<string>(["198.18.0.1 . tcp . 8080", "198.18.0.2 . udp . 53"]));
        var selection = new NftSet("s6-b", "ipv6_addr", false, new HashSet<string>(["2001:db8::1", "2001:db8::2"]));
        var ports = new NftSet("p-b", "inet_service", false, new HashSet<string>(["80", "443"]));
        var map = new NftSet("to-endpoint", "ifname : verdict", false, new HashSet<string>(), IsMap: true);
        var interfaces = new NftSet("endpoint-ifaces", "ifname", false, new HashSet<string>());
        var oldSet = new NftSet("s4-a", "ipv4_addr", false, new HashSet<string>(["198.18.0.9"]));
        var script = new NftScriptTransaction(Table);
        using var batch = new NftNetlinkBatch(Table);
        foreach (var t in new INftTransaction[] { script, batch.AsTransaction() })
        {
            t.AddSet(named);
            t.AddElements(named, [.. named.Elements]);
            t.AddSet(selection);
            t.AddElements(selection, [.. selection.Elements]);
            t.AddSet(ports);
            t.AddElements(ports, [.. ports.Elements]);
            t.AddChain("in-b", null);
            t.AddRule("in-b", "ip saddr @s4-a th dport @p-b ip daddr . meta l4proto . th dport @n4-b drop");
            t.AddRule("in-b", "ip6 saddr @s6-b drop");
            t.AddElements(interfaces, ["\"tb1\"", "\"tb2\""]);
            t.AddElements(map, ["\"tb1\" : jump in-b", "\"tb2\" : jump in-b"]);
            t.DeleteElements(map, ["\"tb9\""]);
            t.DeleteElements(oldSet, ["198.18.0.9"]);
            t.DeleteChain("in-a");
            t.DeleteChain("pi-a");
        }

        await new NftProcessRunner(_viaNft.Name).ApplyAsync(script.ToString());
        using var runner = new NftProcessRunner(_viaNetlink.Name);
        await runner.ApplyNetlinkAsync(batch, script.ToString);
        var expected = List(_viaNft);
        Assert.Contains("\"tb2\" : jump in-b", expected, StringComparison.Ordinal);
        Assert.DoesNotContain("in-a", expected, StringComparison.Ordinal);
        Assert.Equal(expected, List(_viaNetlink));

        // Deleting a set that no rule uses any more.
        var script2 = new NftScriptTransaction(Table);
        using var batch2 = new NftNetlinkBatch(Table);
        foreach (var t in new INftTransaction[] { script2, batch2.AsTransaction() })
        {
            t.FlushChain("in-b");
            t.DeleteSet(named);
        }

        await new NftProcessRunner(_viaNft.Name).ApplyAsync(script2.ToString());
        await runner.ApplyNetlinkAsync(batch2, script2.ToString);
        Assert.Equal(List(_viaNft), List(_viaNetlink));
        Assert.DoesNotContain("n4-b", List(_viaNetlink), StringComparison.Ordinal);
    }

    /// <summary>A whole table (base chains, maps, interval sets of addresses and ports, named-port
    /// sets, every policy shape of the dataplane tests) written over netlink lists like nft's.</summary>
    [RootFact]
    public async Task AWholeTableListsLikeNft()
    {
        var world = PolicyWorld.Standard();
        world.Apply(NftablesPolicyDataplaneTests.Policies);
        world.Apply("""
            {"apiVersion":"projectcalico.org/v3","kind":"NetworkPolicy","metadata":{"name":"ranges","namespace":"prod"},
             "spec":{"selector":"app == 'frontend'","types":["Ingress"],
                     "ingress":[{"action":"Allow","protocol":"TCP","destination":{"ports":["1:5","7:9","100:200","300:400","500:600","65000:65535"]}},
                                {"action":"Deny","source":{"nets":["2001:db8:1::/48","2001:db8:2::/48","2001:db8:3::/48","2001:db8:4::/48","2001:db8:5::/48"]}},
                                {"action":"Deny","source":{"notNets":["192.0.2.0/25","192.0.2.128/25","10.0.0.0/8","0.0.0.0/1","255.255.255.255/32"]}}]}}
            """);
        var options = new NftablesPolicyOptions { WorkloadInterfacePrefixes = ["tp"], EndpointToHostAction = Felix.Policy.Model.PolicyAction.Deny };
        var viaNft = new NftablesPolicyDataplane(world.Calculator, new NftProcessRunner(_viaNft.Name), options with { ApplyViaNetlink = false });
        var viaNetlink = new NftablesPolicyDataplane(world.Calculator, new NftProcessRunner(_viaNetlink.Name), options);
        Assert.False((await viaNft.ApplyFullAsync()).ViaNetlink);
        Assert.True((await viaNetlink.ApplyFullAsync()).ViaNetlink);
        var expected = List(_viaNft);
        Assert.Contains("flags interval", expected, StringComparison.Ordinal);
        Assert.Equal(expected, List(_viaNetlink));
        Assert.Empty(await viaNetlink.ResyncAsync());

        // Replacing the existing table over netlink works too and changes nothing.
        Assert.True((await viaNetlink.ApplyFullAsync()).ViaNetlink);
        Assert.Equal(expected, List(_viaNetlink));
    }

    [RootFact]
    public async Task AFailedTransactionChangesNothingAndSaysWhy()
    {
        await new NftProcessRunner(_viaNetlink.Name).ApplyAsync(Base);
        var before = List(_viaNetlink);
        using var batch = new NftNetlinkBatch(Table);
        var t = batch.AsTransaction();
        t.AddChain("po-x", null);
        t.AddRule("po-x", "ip saddr @no-such-set drop");
        using var runner = new NftProcessRunner(_viaNetlink.Name);
        var error = await Assert.ThrowsAsync<NftException>(() => runner.ApplyNetlinkAsync(batch, () => "test"));
        Assert.Contains("ENOENT", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, List(_viaNetlink));

        // The runner recovers: the next transaction goes through.
        using var next = new NftNetlinkBatch(Table);
        next.AsTransaction().AddElements(new NftSet("s4-a", "ipv4_addr", false, new HashSet<string>()), ["198.18.0.10"]);
        await runner.ApplyNetlinkAsync(next, () => "test");
        Assert.Contains("198.18.0.10", List(_viaNetlink), StringComparison.Ordinal);
    }

    [Fact]
    public void WhatOnlyNftWritesIsRefused()
    {
        using var batch = new NftNetlinkBatch(Table);
        var t = batch.AsTransaction();
        Assert.Throws<NotSupportedException>(() => t.AddChain("x", "type filter hook ingress priority filter; policy accept;"));
        Assert.Throws<NotSupportedException>(() => t.AddSet(new NftSet("c4-x", "ipv4_addr . inet_service", true, new HashSet<string>())));
        Assert.Throws<NotSupportedException>(() => t.AddRule("x", "ct mark 1 accept"));
        Assert.Throws<NotSupportedException>(() => t.AddRule("x", "meta l4proto tcp th dport { 22, 179 } accept"));
        Assert.Throws<NotSupportedException>(() => t.DeleteElements(new NftSet("c4-x", "ipv4_addr", true, new HashSet<string>()), ["10.0.0.0/8"]));
        Assert.True(batch.IsEmpty);
    }

    private static string List(NetworkNamespace ns) => ns.Exec("nft", "list", "table", "inet", Table).StandardOutput;
}
