using Tabby.Felix.Policy.Model;
using Tabby.Felix.Policy.Nftables;
using Tabby.Testing.Namespaces;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Felix.Tests.Policy.Nftables;

/// <summary>Applies rendered policy with the real nft inside a private namespace: atomic full apply,
/// minimal incremental updates, drift repair, and other owners' tables left alone.</summary>
public sealed class NftablesPolicyDataplaneTests : IDisposable
{
    private static readonly NftablesPolicyOptions Options = new() { WorkloadInterfacePrefixes = ["tp"] };
    private readonly NetworkNamespace _node = NetworkNamespace.Create("nftpol");

    /// <summary>A Kubernetes policy with a named port and a global policy with nets (inline and an
    /// interval set), a port list with a range, ICMP, Log and Pass.</summary>
    internal const string Policies = """
            [{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"frontend-to-backend","namespace":"prod"},
              "spec":{"podSelector":{"matchLabels":{"app":"backend"}},
                      "ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"frontend"}}}],"ports":[{"protocol":"TCP","port":"http"},{"port":9090}]}]}},
             {"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"db"},
              "spec":{"order":10,"selector":"app == 'db'","types":["Ingress","Egress"],
                      "ingress":[{"action":"Deny","source":{"nets":["203.0.113.0/24","203.0.113.64/26","2001:db8::/32"]}},
                                 {"action":"Deny","source":{"notNets":["192.0.2.0/24","198.51.100.0/24","100.64.0.0/10","233.252.0.0/24","198.18.0.0/15"]}},
                                 {"action":"Allow","protocol":"TCP","source":{"selector":"app == 'backend'"},"destination":{"ports":["5432","6000:6010"]}}],
                      "egress":[{"action":"Allow","protocol":"ICMP","icmp":{"type":8}},{"action":"Log"},{"action":"Pass"}]}}]
            """;

    public void Dispose() => _node.Dispose();

    private (PolicyWorld World, NftablesPolicyDataplane Dataplane, RecordingNftRunner Runner) Setup()
    {
        var world = PolicyWorld.Standard();
        world.Apply(Policies);
        var runner = new RecordingNftRunner(new NftProcessRunner(_node.Name));
        return (world, new NftablesPolicyDataplane(world.Calculator, runner, Options), runner);
    }

    [RootFact]
    public async Task FullApplyReplacesOnlyTheOwnedTable()
    {
        const string other = """
            table inet other-owner {
              chain forward {
                type filter hook forward priority -10; policy accept;
                tcp dport 1 counter
              }
            }
            table ip calico {
              set s { type ipv4_addr; elements = { 192.0.2.1 } }
            }
            """;
        await new NftProcessRunner(_node.Name).ApplyAsync(other);
        var before = ListOthers();

        var (_, dataplane, runner) = Setup();
        var first = await dataplane.ApplyAsync();
        Assert.True(first.Full);
        Assert.True(first.ViaNetlink); // a whole table goes over netlink too
        Assert.StartsWith("add table inet tabby-policy\ndelete table inet tabby-policy\n", runner.LastScript, StringComparison.Ordinal);
        var second = await dataplane.ApplyFullAsync(); // replacing an existing table works too
        Assert.True(second.Full);

        Assert.Equal(before, ListOthers());
        var listing = _node.Exec("nft", "list", "table", "inet", "tabby-policy").StandardOutput;
        Assert.Contains("hook forward", listing, StringComparison.Ordinal);
        Assert.Contains("failsafe inbound", listing, StringComparison.Ordinal);
        Assert.Contains("tcp dport 2379-2380 accept comment \"failsafe inbound\"", listing, StringComparison.Ordinal);
        Assert.Contains("198.18.0.2 . tcp . 8080", listing, StringComparison.Ordinal); // named port set
        Assert.Contains("flags interval", listing, StringComparison.Ordinal);
        Assert.Empty(await dataplane.ResyncAsync());
    }

    [RootFact]
    public async Task LabelChangeOnlyChangesSetElements()
    {
        var (world, dataplane, runner) = Setup();
        await dataplane.ApplyAsync();
        world.Pod("prod/db", "198.18.0.3,2001:db8:1::3", true, [("app", "frontend")], interfaceName: "tp3");
        var stats = await dataplane.ApplyAsync();
        Assert.False(stats.Full);
        Assert.True(stats.ViaNetlink); // element changes never need nft
        var lines = runner.LastScript.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // db lost its policy (its map entries now jump to the shared no-policy chains) and joined
        // the frontend selection: element changes only, no policy chain is touched.
        Assert.DoesNotContain(lines, l => l.StartsWith("flush chain", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("add element", StringComparison.Ordinal) && l.Contains("198.18.0.3", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("add element inet tabby-policy to-endpoint { \"tp3\" : jump in-", StringComparison.Ordinal));
        Assert.Empty(await dataplane.ResyncAsync());

        // A label change that changes no membership and no policy list changes nothing at all.
        world.Pod("prod/db", "198.18.0.3,2001:db8:1::3", true, [("app", "frontend"), ("team", "x")], interfaceName: "tp3");
        Assert.Equal(0, (await dataplane.ApplyAsync()).ScriptBytes);
    }

    [RootFact]
    public async Task PodAddAndRemoveTouchOnlyItsChainsMapsAndSets()
    {
        var (world, dataplane, runner) = Setup();
        await dataplane.ApplyAsync();
        world.Pod("prod/backend2", "198.18.0.20", true, [("app", "backend")], interfaceName: "tp20");
        var added = await dataplane.ApplyAsync();
        Assert.True(added.ViaNetlink);
        Assert.Equal(0, added.ChangedChains); // backend2 shares backend's chains: same policies, same order
        var script = runner.LastScript;
        Assert.Contains("\"tp20\" : jump in-", script, StringComparison.Ordinal);
        Assert.Contains("198.18.0.20", script, StringComparison.Ordinal); // joined the backend selection set
        Assert.DoesNotContain("chain", script, StringComparison.Ordinal);
        Assert.Empty(await dataplane.ResyncAsync());

        world.Calculator.RemoveEndpoint("prod/backend2");
        var removed = await dataplane.ApplyAsync();
        Assert.Equal(0, removed.ChangedChains); // backend still uses the shared chains
        Assert.DoesNotContain("tp20", _node.Exec("nft", "list", "table", "inet", "tabby-policy").StandardOutput, StringComparison.Ordinal);
        Assert.Empty(await dataplane.ResyncAsync());

        // The last endpoint using a chain takes it along.
        var backendChains = dataplane.AppliedChains.Keys.Where(k => k.StartsWith("in-", StringComparison.Ordinal)).ToHashSet();
        world.Calculator.RemoveEndpoint("prod/backend");
        var last = await dataplane.ApplyAsync();
        Assert.Equal(1, last.ChangedChains); // its ingress chain; the egress one (no policy) is shared by all
        Assert.Single(backendChains.Except(dataplane.AppliedChains.Keys));
        Assert.Empty(await dataplane.ResyncAsync());
    }

    [RootFact]
    public async Task PolicyUpdateRewritesOnlyThatPolicysChain()
    {
        var (world, dataplane, runner) = Setup();
        await dataplane.ApplyAsync();
        world.Apply("""
            {"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"db"},
             "spec":{"order":10,"selector":"app == 'db'","types":["Ingress","Egress"],
                     "ingress":[{"action":"Deny","source":{"nets":["203.0.113.0/24"]}}],
                     "egress":[{"action":"Allow","protocol":"ICMP","icmp":{"type":8}},{"action":"Log"},{"action":"Pass"}]}}
            """);
        var stats = await dataplane.ApplyAsync();
        Assert.Equal(1, stats.ChangedChains); // only pi-<db>; po-<db> and every endpoint chain are unchanged
        Assert.True(stats.ViaNetlink); // rules too are written over netlink
        var lines = runner.LastScript.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines, l => l.StartsWith("flush chain", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("delete set", StringComparison.Ordinal)); // the old nets set and the backend selection
        Assert.Empty(await dataplane.ResyncAsync());

        world.Calculator.RemovePolicy("db");
        await dataplane.ApplyAsync();
        Assert.Empty(await dataplane.ResyncAsync());
        Assert.DoesNotContain("203.0.113.0/24", _node.Exec("nft", "list", "table", "inet", "tabby-policy").StandardOutput, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task ResyncRepairsTampering()
    {
        var (_, dataplane, _) = Setup();
        await dataplane.ApplyAsync();
        var chain = dataplane.AppliedChains.Keys.First(k => k.StartsWith("pi-", StringComparison.Ordinal));
        var set = dataplane.AppliedSets.First(s => s.Key.StartsWith("s4-", StringComparison.Ordinal) && s.Value.Elements.Count > 0);
        _node.Exec("nft", "flush", "chain", "inet", "tabby-policy", chain);
        _node.Exec("nft", "delete", "element", "inet", "tabby-policy", set.Key, "{", set.Value.Elements.First(), "}");
        _node.Exec("nft", "add", "chain", "inet", "tabby-policy", "intruder");

        var drift = await dataplane.ResyncAsync();
        Assert.Contains(drift, d => d.Contains(chain, StringComparison.Ordinal));
        Assert.Contains(drift, d => d.Contains(set.Key, StringComparison.Ordinal));
        Assert.Contains("unexpected chain intruder", drift);
        Assert.Empty(await dataplane.ResyncAsync());

        _node.Exec("nft", "delete", "table", "inet", "tabby-policy");
        Assert.Single(await dataplane.ResyncAsync());
        Assert.Empty(await dataplane.ResyncAsync());
    }

    [RootFact]
    public async Task FailedApplyLeavesTheKernelUnchangedAndTheNextApplyIsFull()
    {
        var (world, dataplane, runner) = Setup();
        await dataplane.ApplyAsync();
        world.Pod("prod/new", "198.18.0.30", true, [("app", "backend")], interfaceName: "tp30");
        runner.FailNext = true;
        await Assert.ThrowsAsync<NftException>(() => dataplane.ApplyAsync());
        var next = await dataplane.ApplyAsync();
        Assert.True(next.Full);
        Assert.False(next.ViaNetlink); // the repair after a failed netlink transaction goes through nft
        world.Calculator.RemoveEndpoint("prod/new");
        Assert.True((await dataplane.ApplyAsync()).ViaNetlink); // and then netlink again
        world.Pod("prod/new", "198.18.0.30", true, [("app", "backend")], interfaceName: "tp30");
        await dataplane.ApplyAsync();
        Assert.Contains("\"tp30\"", _node.Exec("nft", "list", "table", "inet", "tabby-policy").StandardOutput, StringComparison.Ordinal);
        Assert.Empty(await dataplane.ResyncAsync());
    }

    private string ListOthers() =>
        _node.Exec("nft", "list", "table", "inet", "other-owner").StandardOutput + _node.Exec("nft", "list", "table", "ip", "calico").StandardOutput;
}
