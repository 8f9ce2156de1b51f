using Tabby.Felix.Netlink.Addresses;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.Netlink;

public sealed partial class NetlinkClient
{
    /// <summary><c>ip addr show</c> (both families; one family with <paramref name="family"/> = 2 or 10).</summary>
    public List<InterfaceAddress> ListAddresses(byte family = Family.Unspecified, int? interfaceIndex = null)
    {
        var all = Socket.Dump(MessageType.GetAddress, "RTM_GETADDR dump", w => w.Write(new IfAddrMsg { Family = family }), AddressCodec.Parse);
        return interfaceIndex is { } index ? all.FindAll(a => a.InterfaceIndex == index) : all;
    }

    /// <summary><c>ip addr add ADDRESS/PREFIX dev INDEX</c>; EEXIST when present.</summary>
    public void AddAddress(InterfaceAddress address) =>
        Socket.Execute(MessageType.NewAddress, MessageFlags.Create | MessageFlags.Exclusive, $"RTM_NEWADDR {address}", w => AddressCodec.Encode(w, address));

    /// <summary><c>ip addr replace ADDRESS/PREFIX dev INDEX</c>.</summary>
    public void ReplaceAddress(InterfaceAddress address) =>
        Socket.Execute(MessageType.NewAddress, MessageFlags.Create | MessageFlags.Replace, $"RTM_NEWADDR {address}", w => AddressCodec.Encode(w, address));

    /// <summary><c>ip addr del ADDRESS/PREFIX dev INDEX</c>; EADDRNOTAVAIL when absent.</summary>
    public void DeleteAddress(InterfaceAddress address) =>
        Socket.Execute(MessageType.DelAddress, 0, $"RTM_DELADDR {address}", w => AddressCodec.Encode(w, address));
}
