using System.Net;
using System.Net.Sockets;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Addresses;
using Tabby.Felix.Netlink.Links;

namespace Tabby.Felix.Tunnels;

/// <summary>Steps shared by tunnel devices: MTU, admin state and the single tunnel address.</summary>
internal static class TunnelDevice
{
    /// <summary>Sets MTU and up, and makes <paramref name="address"/> (as /32 or /128) the device's only address of its family.</summary>
    public static Link Configure(NetlinkClient client, Link link, int? mtu, IPAddress? address)
    {
        if (mtu is { } m && link.Mtu != m)
        {
            client.SetLinkMtu(link.Index, m);
        }

        if (!link.IsUp)
        {
            client.SetLinkUp(link.Index);
        }

        if (address is not null)
        {
            var prefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            var family = AddressCodec.FamilyOf(address);
            var present = client.ListAddresses(family, link.Index).Where(a => a.Scope != Scope.Link).ToList();
            foreach (var stale in present.Where(a => !(a.Address.Equals(address) && a.PrefixLength == prefix)))
            {
                client.DeleteAddress(stale);
            }

            if (!present.Any(a => a.Address.Equals(address) && a.PrefixLength == prefix))
            {
                client.AddAddress(new InterfaceAddress(link.Index, address, prefix) { Flags = family == Netlink.Wire.Family.Inet6 ? AddressCodec.NoDad : 0 });
            }
        }

        return client.GetLink(link.Index) ?? throw new InvalidOperationException($"device {link.Name} vanished while being configured");
    }

    /// <summary>The interface that holds <paramref name="address"/>.</summary>
    public static int InterfaceWithAddress(NetlinkClient client, IPAddress address) =>
        client.ListAddresses(AddressCodec.FamilyOf(address)).FirstOrDefault(a => a.Address.Equals(address))?.InterfaceIndex
        ?? throw new InvalidOperationException($"no interface holds the node address {address}");
}
