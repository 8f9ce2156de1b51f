using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Links;

namespace Tabby.Felix.Tunnels;

/// <summary>Settings of the IPIP device.</summary>
/// <param name="Address">The node's IPIP tunnel address from IPAM (Node spec.bgp.ipv4IPIPTunnelAddr).</param>
/// <param name="Mtu">Pod MTU for IPIP (host MTU minus 20).</param>
/// <param name="Name">Device name (Calico: tunl0).</param>
public sealed record IpipTunnelConfig(IPAddress? Address, int? Mtu, string Name = "tunl0");

/// <summary>
/// Makes sure tunl0 exists (when the ipip driver is present the kernel creates it in every
/// namespace; otherwise we ask for it), has the tunnel address as its only address, the MTU, and is up.
/// A kernel without IPIP answers EOPNOTSUPP; that becomes a <see cref="TunnelUnsupportedException"/>.
/// </summary>
public sealed class IpipTunnel(NetlinkClient client, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public Link Ensure(IpipTunnelConfig config)
    {
        if (config.Address is { } a && a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"IPIP tunnel address {a} must be IPv4", nameof(config));
        }

        var link = client.GetLink(config.Name);
        if (link is not null && link.Kind is not (null or "ipip"))
        {
            throw new InvalidOperationException($"{config.Name} exists but is a {link.Kind} device, not ipip");
        }

        if (link is null)
        {
            try
            {
                client.CreateIpip(new IpipSpec(config.Name) { Mtu = config.Mtu });
            }
            catch (NetlinkException e) when (e.Errno is Errno.EOPNOTSUPP or Errno.EAFNOSUPPORT or Errno.EPROTONOSUPPORT)
            {
                throw new TunnelUnsupportedException("ipip", e);
            }

            _logger.LogInformation("created IPIP device {Name}", config.Name);
            link = client.GetLink(config.Name) ?? throw new InvalidOperationException($"{config.Name} missing right after its creation");
        }

        return TunnelDevice.Configure(client, link, config.Mtu, config.Address);
    }
}
