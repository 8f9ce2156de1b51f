using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Validation;
using Xunit;

namespace Tabby.Datastore.Tests.Validation;

public sealed class ResourceValidatorTests
{
    private static IPPool Pool(string cidr, Action<IPPoolSpec>? change = null)
    {
        var pool = new IPPool { Metadata = new ObjectMeta { Name = "pool" }, Spec = new IPPoolSpec { Cidr = cidr } };
        change?.Invoke(pool.Spec);
        return pool;
    }

    private static string Errors(Resource resource) => string.Join("\n", ResourceValidator.Validate(resource));

    [Fact]
    public void Valid_pool_has_no_errors() =>
        Assert.Empty(ResourceValidator.Validate(Pool("198.18.0.0/16", s => { s.BlockSize = 26; s.IpipMode = "Always"; s.NodeSelector = "all()"; })));

    [Theory]
    [InlineData("198.18.0.0", "spec.cidr: \"198.18.0.0\" is not a valid CIDR")]
    [InlineData("198.18.0.1/16", "spec.cidr: \"198.18.0.1/16\" has host bits set; did you mean 198.18.0.0/16?")]
    [InlineData("300.1.0.0/16", "spec.cidr: \"300.1.0.0/16\" is not a valid CIDR")]
    [InlineData("", "spec.cidr: is required")]
    public void Bad_cidr_names_the_field(string cidr, string expected) =>
        Assert.StartsWith(expected, Errors(Pool(cidr)), StringComparison.Ordinal);

    [Theory]
    [InlineData("198.18.0.0/16", 19, "spec.blockSize: 19 is out of range 20-32 for an IPv4 pool")]
    [InlineData("198.18.0.0/16", 33, "spec.blockSize: 33 is out of range 20-32 for an IPv4 pool")]
    [InlineData("2001:db8::/64", 115, "spec.blockSize: 115 is out of range 116-128 for an IPv6 pool")]
    [InlineData("198.18.0.0/28", 26, "spec.blockSize: blocks of /26 do not fit in the /28 pool")]
    public void Block_size_out_of_range(string cidr, int size, string expected) =>
        Assert.StartsWith(expected, Errors(Pool(cidr, s => s.BlockSize = size)), StringComparison.Ordinal);

    [Fact]
    public void Ipip_and_vxlan_together_are_rejected()
    {
        Assert.Contains("spec.vxlanMode: IPIP and VXLAN cannot both be enabled", Errors(Pool("198.18.0.0/16", s => { s.IpipMode = "Always"; s.VxlanMode = "CrossSubnet"; })), StringComparison.Ordinal);
        Assert.Contains("spec.ipipMode: IPIP is not supported on IPv6 pools", Errors(Pool("2001:db8::/64", s => s.IpipMode = "Always")), StringComparison.Ordinal);
        Assert.Contains("spec.ipipMode: \"always\" is not one of Never, Always, CrossSubnet", Errors(Pool("198.18.0.0/16", s => s.IpipMode = "always")), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_selector_gives_position()
    {
        var errors = Errors(Pool("198.18.0.0/16", s => s.NodeSelector = "rack == 'a' &&"));
        Assert.StartsWith("spec.nodeSelector: invalid selector \"rack == 'a' &&\": at position 14: expected a label key", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_pools_are_reported()
    {
        var existing = new[] { new IPPool { Metadata = new ObjectMeta { Name = "a" }, Spec = new IPPoolSpec { Cidr = "198.18.0.0/16" } } };
        var error = Assert.Single(ResourceValidator.ValidatePoolAgainst(Pool("198.18.128.0/17"), existing));
        Assert.Equal("spec.cidr: 198.18.128.0/17 overlaps IPPool \"a\" (198.18.0.0/16)", error.ToString());
        Assert.Empty(ResourceValidator.ValidatePoolAgainst(Pool("198.19.0.0/16"), existing));
        Assert.Empty(ResourceValidator.ValidatePoolAgainst(Pool("2001:db8::/64"), existing));
    }

    [Fact]
    public void Bgp_peer_rules()
    {
        var peer = new BGPPeer { Metadata = new ObjectMeta { Name = "tor" }, Spec = new BGPPeerSpec { PeerIP = "192.0.2.1", AsNumber = 0 } };
        Assert.Contains("spec.asNumber: AS number 0 is reserved", Errors(peer), StringComparison.Ordinal);
        peer.Spec.AsNumber = null;
        Assert.Contains("spec.asNumber: is required when peerIP is set", Errors(peer), StringComparison.Ordinal);
        peer.Spec.AsNumber = 64512;
        peer.Spec.PeerIP = "192.0.2.1:1179";
        Assert.Empty(ResourceValidator.Validate(peer));
        peer.Spec.PeerIP = "[2001:db8::1]:179";
        Assert.Empty(ResourceValidator.Validate(peer));
        peer.Spec.PeerIP = "2001:db8::1";
        Assert.Empty(ResourceValidator.Validate(peer));
        peer.Spec.PeerIP = "192.0.2.300";
        Assert.Contains("spec.peerIP: \"192.0.2.300\" is not an IP address", Errors(peer), StringComparison.Ordinal);
        peer.Spec.PeerIP = "192.0.2.1";
        peer.Spec.KeepaliveTime = "20 seconds";
        Assert.Contains("spec.keepaliveTime: \"20 seconds\" is not a duration", Errors(peer), StringComparison.Ordinal);
    }

    [Fact]
    public void Bgp_configuration_communities()
    {
        var config = new BGPConfiguration
        {
            Metadata = new ObjectMeta { Name = "default" },
            Spec = new BGPConfigurationSpec
            {
                Communities = [new Community { Name = "ok", Value = "64512:100" }, new Community { Name = "bad", Value = "70000:1" }],
                PrefixAdvertisements = [new PrefixAdvertisement { Cidr = "198.18.0.0/24", Communities = ["ok", "64512:1:2", "nope"] }],
                ListenPort = 70000,
            },
        };
        var errors = Errors(config);
        Assert.Contains("spec.communities[1].value: \"70000:1\" is not a community", errors, StringComparison.Ordinal);
        Assert.Contains("spec.prefixAdvertisements[0].communities[2]: \"nope\"", errors, StringComparison.Ordinal);
        Assert.Contains("spec.listenPort: 70000 is out of range 1-65535", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("communities[1]: ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_rules()
    {
        var policy = new GlobalNetworkPolicy
        {
            Metadata = new ObjectMeta { Name = "allow-dns" },
            Spec = new GlobalNetworkPolicySpec
            {
                Selector = "all()",
                Egress =
                [
                    new PolicyRule { Action = "Allow", Protocol = "UDP", Destination = new EntityRule { Ports = [53, "8000:9000", "dns"] } },
                    new PolicyRule { Action = "allow", Destination = new EntityRule { Ports = [53], Nets = ["198.18.0.1/24"] } },
                ],
            },
        };
        var errors = Errors(policy);
        Assert.Contains("spec.egress[1].action: \"allow\" is not one of Allow, Deny, Log, Pass", errors, StringComparison.Ordinal);
        Assert.Contains("spec.egress[1].destination.ports: ports need protocol", errors, StringComparison.Ordinal);
        Assert.Contains("spec.egress[1].destination.nets[0]: \"198.18.0.1/24\" has host bits set", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("spec.egress[0]", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipam_objects()
    {
        var block = new IPAMBlock
        {
            Metadata = new ObjectMeta { Name = "198-18-0-0-30" },
            Spec = new IPAMBlockSpec { Cidr = "198.18.0.0/30", Allocations = [0, null, null, null], Unallocated = [1, 2, 3, 3, 0], Attributes = [new AllocationAttribute()] },
        };
        var errors = Errors(block);
        Assert.Contains("spec.unallocated[3]: ordinal 3 is listed twice", errors, StringComparison.Ordinal);
        Assert.Contains("spec.unallocated[4]: ordinal 0 is allocated", errors, StringComparison.Ordinal);
        var affinity = new BlockAffinity { Metadata = new ObjectMeta { Name = "n-198-18-0-0-30" }, Spec = new BlockAffinitySpec { Node = "n", Cidr = "198.18.0.0/30", State = "claimed", Deleted = "no" } };
        errors = Errors(affinity);
        Assert.Contains("spec.state: \"claimed\" is not one of pending, confirmed, pendingDeletion", errors, StringComparison.Ordinal);
        Assert.Contains("spec.deleted: \"no\" is not one of true, false", errors, StringComparison.Ordinal);
        Assert.Contains("metadata.name: must be \"default\"", Errors(new IPAMConfig { Metadata = new ObjectMeta { Name = "other" } }), StringComparison.Ordinal);
    }
}
