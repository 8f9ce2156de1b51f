using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Datastore.Embedded;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Pools;
using Tabby.Node.Configuration;
using Tabby.Node.Startup;
using Xunit;

namespace Tabby.Node.Tests.Startup;

public sealed class NodeRegistrationTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tabby-node-tests", Guid.NewGuid().ToString("N"));
    private EmbeddedDatastore _store = null!;
    private NodeRegistration _registration = null!;
    private IpamAllocator _ipam = null!;

    public Task InitializeAsync()
    {
        _store = new EmbeddedDatastore(_directory);
        _registration = new NodeRegistration(_store, CalicoSelectorMatcher.Instance, NullLogger<NodeRegistration>.Instance);
        _ipam = new IpamAllocator(_store, CalicoSelectorMatcher.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static NodeSettings Settings(EncapsulationMode vxlan = EncapsulationMode.Never) =>
        NodeSettingsLoader.Load(new Dictionary<string, string?>
        {
            ["NODENAME"] = "node-a",
            ["AS"] = "64512",
            ["CALICO_IPV4POOL_CIDR"] = "198.18.0.0/16",
            ["CALICO_IPV4POOL_VXLAN"] = vxlan.ToString(),
            ["IP6"] = "autodetect",
            ["CALICO_IPV6POOL_CIDR"] = "2001:db8:1::/64",
        });

    private static readonly Tabby.Node.Configuration.NodeAddress V4 = new(IPAddress.Parse("192.0.2.10"), 24);

    [Fact]
    public async Task DefaultPoolsAreCreatedOnlyWhenTheFamilyHasNone()
    {
        await _store.CreateAsync(ResourceKinds.IPPools, new IPPool { Metadata = new ObjectMeta { Name = "mine" }, Spec = new IPPoolSpec { Cidr = "198.51.100.0/24" } });

        await _registration.EnsureDefaultPoolsAsync(Settings(), CancellationToken.None);
        await _registration.EnsureDefaultPoolsAsync(Settings(), CancellationToken.None);

        var pools = (await _store.ListAsync(ResourceKinds.IPPools)).Items.Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["default-ipv6-ippool", "mine"], pools);
    }

    [Fact]
    public async Task TheNodeIsRegisteredWithItsAddressesAndOperatorSettingsAreKept()
    {
        await _store.CreateAsync(ResourceKinds.CalicoNodes, new CalicoNode
        {
            Metadata = new ObjectMeta { Name = "node-a" },
            Spec = new CalicoNodeSpec { Bgp = new NodeBgpSpec { RouteReflectorClusterId = "224.0.0.1" } },
        });
        await _registration.EnsureDefaultPoolsAsync(Settings(), CancellationToken.None);

        var registered = await _registration.RegisterAsync(Settings(), V4, null, new Dictionary<string, string>(), _ipam, CancellationToken.None);

        var node = (await _store.GetAsync(ResourceKinds.CalicoNodes, "node-a"))!;
        Assert.Equal("192.0.2.10/24", node.Spec.Bgp!.IPv4Address);
        Assert.Equal(64512u, node.Spec.Bgp.AsNumber);
        Assert.Equal("224.0.0.1", node.Spec.Bgp.RouteReflectorClusterId);
        Assert.Null(registered.VxlanTunnelAddress);
        Assert.Null(node.Spec.IPv4VxlanTunnelAddr);
    }

    [Fact]
    public async Task AVxlanPoolGivesATunnelAddressAndMacWhichGoWhenVxlanIsTurnedOff()
    {
        await _registration.EnsureDefaultPoolsAsync(Settings(EncapsulationMode.Always), CancellationToken.None);

        var first = await _registration.RegisterAsync(Settings(EncapsulationMode.Always), V4, null, new Dictionary<string, string>(), _ipam, CancellationToken.None);
        var again = await _registration.RegisterAsync(Settings(EncapsulationMode.Always), V4, null, new Dictionary<string, string>(), _ipam, CancellationToken.None);

        Assert.NotNull(first.VxlanTunnelAddress);
        Assert.Equal(first.VxlanTunnelAddress, again.VxlanTunnelAddress);
        Assert.Equal(NodeRegistration.MacText(Tabby.Felix.Tunnels.VxlanTunnel.MacForNode("node-a")), again.VxlanMac);
        Assert.Matches("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$", again.VxlanMac!);
        Assert.Equal(0x02, Convert.ToByte(again.VxlanMac![..2], 16) & 0x03); // locally administered, unicast
        var assignment = (await _ipam.GetAssignmentAsync(first.VxlanTunnelAddress!))!.Value;
        Assert.Equal("vxlan-tunnel-addr-node-a", assignment.Attribute.HandleId);
        Assert.Equal("vxlanTunnelAddress", assignment.Attribute.Secondary!["type"]);

        await _store.MutateAsync(ResourceKinds.IPPools, NodeRegistration.DefaultIPv4PoolName, null, p => { p.Spec.VxlanMode = "Never"; return true; });
        var off = await _registration.RegisterAsync(Settings(), V4, null, new Dictionary<string, string>(), _ipam, CancellationToken.None);

        Assert.Null(off.VxlanTunnelAddress);
        Assert.Null(off.Node.Spec.VxlanTunnelMacAddr);
        Assert.Null(await _ipam.GetAssignmentAsync(first.VxlanTunnelAddress!));
    }
}
