using Tabby.Felix.Netlink.Neighbors;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.Netlink;

public sealed partial class NetlinkClient
{
    /// <summary><c>ip neigh show [dev INDEX]</c> (IPv4 ARP and IPv6 NDP entries).</summary>
    public List<Neighbor> ListNeighbors(byte family = Family.Unspecified, int? interfaceIndex = null)
    {
        var all = Socket.Dump(MessageType.GetNeighbor, "RTM_GETNEIGH dump", w => NeighborCodec.EncodeDumpRequest(w, family), NeighborCodec.ParseNeighbor);
        return interfaceIndex is { } index ? all.FindAll(n => n.InterfaceIndex == index) : all;
    }

    /// <summary><c>ip neigh replace DESTINATION lladdr MAC dev INDEX nud permanent</c>.</summary>
    public void ReplaceNeighbor(Neighbor neighbor) =>
        Socket.Execute(MessageType.NewNeighbor, MessageFlags.Create | MessageFlags.Replace, $"RTM_NEWNEIGH {neighbor.Destination} dev {neighbor.InterfaceIndex}",
            w => NeighborCodec.EncodeNeighbor(w, neighbor));

    /// <summary><c>ip neigh del DESTINATION dev INDEX</c>; ENOENT when absent.</summary>
    public void DeleteNeighbor(Neighbor neighbor) =>
        Socket.Execute(MessageType.DelNeighbor, 0, $"RTM_DELNEIGH {neighbor.Destination} dev {neighbor.InterfaceIndex}",
            w => NeighborCodec.EncodeNeighbor(w, neighbor, delete: true));

    /// <summary><c>bridge fdb show [dev INDEX]</c>.</summary>
    public List<FdbEntry> ListFdb(int? interfaceIndex = null)
    {
        var all = Socket.Dump(MessageType.GetNeighbor, "RTM_GETNEIGH (bridge) dump", w => NeighborCodec.EncodeDumpRequest(w, Family.Bridge), NeighborCodec.ParseFdb);
        return interfaceIndex is { } index ? all.FindAll(n => n.InterfaceIndex == index) : all;
    }

    /// <summary><c>bridge fdb replace MAC dev INDEX dst DESTINATION self permanent</c>.</summary>
    public void ReplaceFdb(FdbEntry entry) =>
        Socket.Execute(MessageType.NewNeighbor, MessageFlags.Create | MessageFlags.Replace, $"RTM_NEWNEIGH (fdb) {entry.HardwareAddress} dev {entry.InterfaceIndex}",
            w => NeighborCodec.EncodeFdb(w, entry));

    /// <summary><c>bridge fdb append MAC dev INDEX dst DESTINATION self permanent</c> (another destination for the same MAC).</summary>
    public void AppendFdb(FdbEntry entry) =>
        Socket.Execute(MessageType.NewNeighbor, MessageFlags.Create | MessageFlags.Append, $"RTM_NEWNEIGH (fdb append) {entry.HardwareAddress} dev {entry.InterfaceIndex}",
            w => NeighborCodec.EncodeFdb(w, entry));

    /// <summary><c>bridge fdb del MAC dev INDEX [dst DESTINATION] self</c>; ENOENT when absent.</summary>
    public void DeleteFdb(FdbEntry entry) =>
        Socket.Execute(MessageType.DelNeighbor, 0, $"RTM_DELNEIGH (fdb) {entry.HardwareAddress} dev {entry.InterfaceIndex}",
            w => NeighborCodec.EncodeFdb(w, entry, delete: true));
}
