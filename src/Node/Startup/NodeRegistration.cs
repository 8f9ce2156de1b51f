using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Pools;
using Tabby.Node.Configuration;

namespace Tabby.Node.Startup;

/// <summary>What the node announced about itself.</summary>
public sealed record RegisteredNode(CalicoNode Node, System.Net.IPAddress? IpipTunnelAddress, System.Net.IPAddress? VxlanTunnelAddress, string? VxlanMac);

/// <summary>
/// What calico-node does at start-up: create the default pools when the cluster has none, write the
/// node's BGP spec (addresses, AS) into its Node resource, and allocate or free its tunnel addresses
/// according to the pools that select it. Every write is compare-and-swap; settings the operator set
/// on the Node (route reflector cluster id, an AS set with tabbyctl) are kept.
/// </summary>
public sealed class NodeRegistration(IDatastore store, ISelectorMatcher selectors, ILogger<NodeRegistration> logger)
{
    public const string DefaultIPv4PoolName = "default-ipv4-ippool";
    public const string DefaultIPv6PoolName = "default-ipv6-ippool";

    /// <summary>Creates the default pools of <paramref name="settings"/> when no pool of that family exists.</summary>
    public async Task EnsureDefaultPoolsAsync(NodeSettings settings, CancellationToken cancellationToken)
    {
        var pools = (await store.ListAsync(ResourceKinds.IPPools, null, cancellationToken).ConfigureAwait(false)).Items;
        foreach (var (pool, name, family) in new[]
                 {
                     (settings.DefaultIPv4Pool, DefaultIPv4PoolName, AddressFamily.InterNetwork),
                     (settings.DefaultIPv6Pool, DefaultIPv6PoolName, AddressFamily.InterNetworkV6),
                 })
        {
            if (pool is null || pools.Any(p => System.Net.IPNetwork.TryParse(p.Spec.Cidr, out var c) && c.BaseAddress.AddressFamily == family))
            {
                continue;
            }

            try
            {
                await store.CreateAsync(ResourceKinds.IPPools, new IPPool
                {
                    Metadata = new ObjectMeta { Name = name },
                    Spec = new IPPoolSpec
                    {
                        Cidr = pool.Cidr.ToString(),
                        BlockSize = pool.BlockSize,
                        IpipMode = pool.Ipip.ToString(),
                        VxlanMode = pool.Vxlan.ToString(),
                        NatOutgoing = pool.NatOutgoing,
                        NodeSelector = pool.NodeSelector,
                        AllowedUses = [IPPoolAllowedUses.Workload, IPPoolAllowedUses.Tunnel],
                    },
                }, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Created default pool {Pool} {Cidr}", name, pool.Cidr);
            }
            catch (ResourceAlreadyExistsException)
            {
                // Another node created it first.
            }
        }
    }

    /// <summary>Writes the node's addresses, AS and tunnel addresses into its Node resource.</summary>
    public async Task<RegisteredNode> RegisterAsync(NodeSettings settings, Configuration.NodeAddress? ipv4, Configuration.NodeAddress? ipv6,
        IReadOnlyDictionary<string, string> nodeLabels, IpamAllocator ipam, CancellationToken cancellationToken)
    {
        var pools = (await store.ListAsync(ResourceKinds.IPPools, null, cancellationToken).ConfigureAwait(false)).Items
            .Where(p => p.Spec.Disabled != true && selectors.Matches(p.Spec.NodeSelector, nodeLabels))
            .ToList();
        bool Uses(Func<IPPoolSpec, string?> mode) =>
            pools.Any(p => mode(p.Spec) is { } m && m != EncapsulationModes.Never
                           && System.Net.IPNetwork.TryParse(p.Spec.Cidr, out var c) && c.BaseAddress.AddressFamily == AddressFamily.InterNetwork);

        var tunnels = new TunnelAddresses(ipam);
        var ipip = ipv4 is not null && Uses(s => s.IpipMode)
            ? await tunnels.EnsureAsync(settings.NodeName, TunnelKind.Ipip, nodeLabels, cancellationToken: cancellationToken).ConfigureAwait(false)
            : null;
        var vxlan = ipv4 is not null && Uses(s => s.VxlanMode)
            ? await tunnels.EnsureAsync(settings.NodeName, TunnelKind.Vxlan, nodeLabels, cancellationToken: cancellationToken).ConfigureAwait(false)
            : null;
        if (ipip is null)
        {
            await tunnels.ReleaseAsync(settings.NodeName, TunnelKind.Ipip, cancellationToken).ConfigureAwait(false);
        }

        if (vxlan is null)
        {
            await tunnels.ReleaseAsync(settings.NodeName, TunnelKind.Vxlan, cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 0; ; attempt++)
        {
            var existing = await store.GetAsync(ResourceKinds.CalicoNodes, settings.NodeName, null, cancellationToken).ConfigureAwait(false);
            var node = existing ?? new CalicoNode { Metadata = new ObjectMeta { Name = settings.NodeName } };
            var bgp = node.Spec.Bgp ??= new NodeBgpSpec();
            bgp.IPv4Address = ipv4?.ToString();
            bgp.IPv6Address = ipv6?.ToString();
            bgp.AsNumber = settings.AsNumber ?? bgp.AsNumber;
            bgp.IPv4IpipTunnelAddr = ipip?.ToString();
            node.Spec.IPv4VxlanTunnelAddr = vxlan?.ToString();
            node.Spec.VxlanTunnelMacAddr = vxlan is null ? null : node.Spec.VxlanTunnelMacAddr ?? MacText(Tabby.Felix.Tunnels.VxlanTunnel.MacForNode(settings.NodeName));
            try
            {
                var saved = existing is null
                    ? await store.CreateAsync(ResourceKinds.CalicoNodes, node, cancellationToken).ConfigureAwait(false)
                    : await store.UpdateAsync(ResourceKinds.CalicoNodes, node, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Registered node {Node}: IPv4 {IPv4}, IPv6 {IPv6}, AS {As}, IPIP tunnel {Ipip}, VXLAN tunnel {Vxlan} ({Mac})",
                    settings.NodeName, bgp.IPv4Address, bgp.IPv6Address, bgp.AsNumber, ipip, vxlan, saved.Spec.VxlanTunnelMacAddr);
                return new RegisteredNode(saved, ipip, vxlan, saved.Spec.VxlanTunnelMacAddr);
            }
            catch (Exception e) when (e is ResourceConflictException or ResourceAlreadyExistsException && attempt < 20)
            {
            }
        }
    }

    /// <summary>A MAC as Calico writes it in vxlanTunnelMACAddr: lower-case, colon-separated.</summary>
    public static string MacText(System.Net.NetworkInformation.PhysicalAddress mac) =>
        string.Join(":", mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
