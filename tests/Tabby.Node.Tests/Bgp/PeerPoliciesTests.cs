using System.Net;
using Tabby.Bgp.Policy;
using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Node.Bgp;
using Xunit;

namespace Tabby.Node.Tests.Bgp;

public sealed class PeerPoliciesTests
{
    private static PlannedPeer Peer(params string[] filters) =>
        new(new PeerConfig { Address = IPAddress.Parse("192.0.2.254"), RemoteAs = 65000 }, PeerType.GlobalPeer, "BGPPeer tor") { Filters = filters, IsExternal = true };

    private static BGPFilter Filter(string name, string version) => new()
    {
        Metadata = new ObjectMeta { Name = name, ResourceVersion = version },
        Spec = new BGPFilterSpec { ExportV4 = [new BGPFilterRule { Action = "Reject", Cidr = "198.18.0.64/26", MatchOperator = "Equal" }] },
    };

    private static readonly BgpPrefix[] Blocks = [BgpPrefix.Parse("198.18.0.0/26"), BgpPrefix.Parse("198.18.0.64/26")];

    [Fact]
    public void ExportAdmitsOnlyAdvertisedPrefixesAfterTheFilters()
    {
        var policies = new PeerPolicies();
        policies.Begin(false, Blocks, [Filter("no-second-block", "1")]);
        var export = policies.For(Peer("no-second-block"), FilterDirection.Export, []);
        var attributes = new Tabby.Bgp.Wire.Attributes.PathAttributesBuilder { AsPath = Tabby.Bgp.Wire.Attributes.AsPath.Empty }.Build();

        Assert.NotNull(export.Apply(Blocks[0], attributes, 64512, null, learnedFromPeer: false));
        Assert.Null(export.Apply(Blocks[1], attributes, 64512, null, learnedFromPeer: false)); // the filter rejects it first
        Assert.Null(export.Apply(BgpPrefix.Parse("203.0.113.0/24"), attributes, 64512, null)); // not ours: default reject
    }

    [Fact]
    public void UnchangedInputsKeepThePolicyInstanceAndChangesReplaceIt()
    {
        var policies = new PeerPolicies();
        policies.Begin(false, Blocks, [Filter("f", "1")]);
        var first = policies.For(Peer("f"), FilterDirection.Export, []);
        policies.Begin(false, Blocks, [Filter("f", "1")]);
        Assert.Same(first, policies.For(Peer("f"), FilterDirection.Export, []));

        policies.Begin(false, Blocks, [Filter("f", "2")]); // the filter was edited
        Assert.NotSame(first, policies.For(Peer("f"), FilterDirection.Export, []));

        policies.Begin(false, [Blocks[0]], [Filter("f", "2")]); // a block went away
        Assert.NotSame(first, policies.For(Peer("f"), FilterDirection.Export, []));
    }

    [Fact]
    public void MissingFilterIsAProblemAndImportWithoutFiltersAcceptsAll()
    {
        var policies = new PeerPolicies();
        policies.Begin(false, Blocks, []);
        var problems = new List<string>();

        Assert.Same(RoutePolicy.AcceptAll, policies.For(Peer("gone"), FilterDirection.Import, problems));
        Assert.Contains("BGPFilter gone does not exist", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void RouteReflectorExportsEverythingByDefault()
    {
        var policies = new PeerPolicies();
        policies.Begin(true, Blocks, []);
        Assert.Same(RoutePolicy.AcceptAll, policies.For(Peer(), FilterDirection.Export, []));
    }
}
