using System.Net;
using Tabby.Felix.Nat;
using Xunit;

namespace Tabby.Felix.Tests.Nat;

public sealed class NatOutgoingScriptTests
{
    [Fact]
    public void The_script_recreates_the_owned_tables_with_interval_sets_in_one_transaction()
    {
        var script = NatOutgoingScript.Render(
        [
            new NatPool(IPNetwork.Parse("10.244.0.0/16"), NatOutgoing: true),
            new NatPool(IPNetwork.Parse("10.245.0.0/16"), NatOutgoing: false),
            new NatPool(IPNetwork.Parse("10.246.0.0/16"), NatOutgoing: true, Disabled: true),
            new NatPool(IPNetwork.Parse("2001:db8:244::/48"), NatOutgoing: true),
        ]);
        var lines = script.Split('\n');
        Assert.Equal("add table ip tabby-nat", lines[0]);
        Assert.Equal("delete table ip tabby-nat", lines[1]);
        Assert.Contains("\t\telements = { 10.244.0.0/16 }", lines);
        Assert.Contains("\t\telements = { 10.244.0.0/16, 10.245.0.0/16, 10.246.0.0/16 }", lines);
        Assert.Contains("\t\tip saddr @nat-outgoing-pools ip daddr != @all-pools masquerade fully-random", lines);
        Assert.Contains("\t\tip6 saddr @nat-outgoing-pools ip6 daddr != @all-pools masquerade fully-random", lines);
        Assert.Contains("\t\telements = { 2001:db8:244::/48 }", lines);
        Assert.Equal(4, lines.Count(l => l.Contains("flags interval", StringComparison.Ordinal)));
    }

    [Fact]
    public void Removal_touches_only_tabbys_tables() =>
        Assert.All(NatOutgoingScript.RenderRemoval().Split('\n', StringSplitOptions.RemoveEmptyEntries),
            l => Assert.EndsWith(" tabby-nat", l, StringComparison.Ordinal));
}
