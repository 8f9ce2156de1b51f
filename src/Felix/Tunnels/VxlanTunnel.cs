using System.Net;
using System.Net.NetworkInformation;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Links;

namespace Tabby.Felix.Tunnels;

/// <summary>Settings of the VXLAN device, Calico's defaults.</summary>
/// <param name="NodeAddress">The node IP: source of encapsulated packets; its interface is the underlying device.</param>
/// <param name="TunnelAddress">The node's VTEP address from IPAM (ipv4VXLANTunnelAddr).</param>
/// <param name="HardwareAddress">The VTEP MAC (vxlanTunnelMACAddr), or derive one with <see cref="VxlanTunnel.MacForNode"/>.</param>
/// <param name="Mtu">Pod MTU for VXLAN (host MTU minus 50, 70 on IPv6).</param>
public sealed record VxlanTunnelConfig(IPAddress NodeAddress, IPAddress? TunnelAddress, PhysicalAddress HardwareAddress, int? Mtu)
{
    public string Name { get; init; } = "vxlan.calico";

    public uint Vni { get; init; } = 4096;

    public ushort Port { get; init; } = 4789;
}

/// <summary>
/// Makes sure vxlan.calico exists with the configured VNI, port, source address and underlying
/// device, learning off, the VTEP MAC, MTU and address, and is up. A device whose VXLAN parameters
/// differ cannot be changed in place: it is deleted and created again.
/// </summary>
public sealed class VxlanTunnel(NetlinkClient client, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>
    /// A stable VTEP MAC for a node without one: the first six bytes of SHA-256(node name) with the
    /// locally-administered bit set and the multicast bit cleared (IEEE 802 address rules).
    /// </summary>
    public static PhysicalAddress MacForNode(string nodeName)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(nodeName));
        var mac = hash.AsSpan(0, 6).ToArray();
        mac[0] = (byte)((mac[0] | 0x02) & 0xFE);
        return new PhysicalAddress(mac);
    }

    public Link Ensure(VxlanTunnelConfig config)
    {
        var parent = TunnelDevice.InterfaceWithAddress(client, config.NodeAddress);
        var wanted = new VxlanInfo(config.Vni, config.Port, config.NodeAddress, parent, Learning: false);
        var link = client.GetLink(config.Name);
        if (link is not null && (link.Kind != "vxlan" || link.Vxlan != wanted))
        {
            _logger.LogInformation("recreating {Name}: has {Have}, want {Want}", config.Name, (object?)link.Vxlan ?? link.Kind, wanted);
            client.DeleteLink(link.Index);
            link = null;
        }

        if (link is null)
        {
            client.CreateVxlan(new VxlanSpec(config.Name, config.Vni, config.Port)
            {
                Local = config.NodeAddress,
                ParentIndex = parent,
                Learning = false,
                Mtu = config.Mtu,
                HardwareAddress = config.HardwareAddress,
            });
            _logger.LogInformation("created VXLAN device {Name} (VNI {Vni}, port {Port}, local {Local})", config.Name, config.Vni, config.Port, config.NodeAddress);
            link = client.GetLink(config.Name) ?? throw new InvalidOperationException($"{config.Name} missing right after its creation");
        }

        if (!config.HardwareAddress.Equals(link.HardwareAddress))
        {
            client.SetLinkAddress(link.Index, config.HardwareAddress);
        }

        return TunnelDevice.Configure(client, link, config.Mtu, config.TunnelAddress);
    }
}
