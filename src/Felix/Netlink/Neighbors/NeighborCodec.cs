using System.Net;
using System.Net.NetworkInformation;
using Tabby.Felix.Netlink.Addresses;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.Netlink.Neighbors;

/// <summary>Encodes RTM_NEWNEIGH/RTM_DELNEIGH for ARP/NDP and FDB entries and parses their dumps.</summary>
public static class NeighborCodec
{
    private static readonly AttributePolicy Policy = new("RTM_NEWNEIGH",
        (NeighborAttr.Destination, "NDA_DST", AttributeShape.Address),
        (NeighborAttr.LinkLayerAddress, "NDA_LLADDR", AttributeShape.LinkLayerAddress),
        (NeighborAttr.Vni, "NDA_VNI", AttributeShape.U32),
        (NeighborAttr.Master, "NDA_MASTER", AttributeShape.U32),
        (NeighborAttr.InterfaceIndex, "NDA_IFINDEX", AttributeShape.U32));

    public static void EncodeNeighbor(MessageWriter w, Neighbor neighbor, bool delete = false)
    {
        w.Write(new NdMsg
        {
            Family = AddressCodec.FamilyOf(neighbor.Destination),
            Index = neighbor.InterfaceIndex,
            State = delete ? (ushort)0 : (ushort)neighbor.State,
            Flags = (byte)neighbor.Flags,
        });
        w.AttributeAddress(NeighborAttr.Destination, neighbor.Destination);
        if (!delete && neighbor.LinkLayerAddress is { } mac)
        {
            w.Attribute(NeighborAttr.LinkLayerAddress, mac.GetAddressBytes());
        }
    }

    public static void EncodeFdb(MessageWriter w, FdbEntry entry, bool delete = false)
    {
        w.Write(new NdMsg
        {
            Family = Family.Bridge,
            Index = entry.InterfaceIndex,
            State = delete ? (ushort)0 : (ushort)entry.State,
            Flags = (byte)entry.Flags,
        });
        w.Attribute(NeighborAttr.LinkLayerAddress, entry.HardwareAddress.GetAddressBytes());
        if (entry.Destination is { } destination)
        {
            w.AttributeAddress(NeighborAttr.Destination, destination);
        }

        if (entry.Vni is { } vni)
        {
            w.AttributeU32(NeighborAttr.Vni, vni);
        }
    }

    /// <summary>A dump request of one family (AF_INET, AF_INET6 or AF_BRIDGE for the FDB).</summary>
    public static void EncodeDumpRequest(MessageWriter w, byte family) => w.Write(new NdMsg { Family = family });

    public static Neighbor? ParseNeighbor(in NetlinkMessage message)
    {
        if (message.Type is not (MessageType.NewNeighbor or MessageType.DelNeighbor))
        {
            return null;
        }

        var header = message.ReadHeader<NdMsg>();
        if (header.Family is not (Family.Inet or Family.Inet6))
        {
            return null;
        }

        IPAddress? destination = null;
        PhysicalAddress? mac = null;
        foreach (var a in message.Attributes(NdMsg.Size))
        {
            Policy.Check(a, header.Family);
            switch (a.Type)
            {
                case NeighborAttr.Destination: destination = a.Address; break;
                case NeighborAttr.LinkLayerAddress: mac = new PhysicalAddress(a.Value.ToArray()); break;
            }
        }

        if (destination is null)
        {
            throw new NetlinkProtocolException($"RTM_NEWNEIGH on index {header.Index} has no NDA_DST");
        }

        return new Neighbor(header.Index, destination)
        {
            LinkLayerAddress = mac,
            State = (NeighborState)header.State,
            Flags = (NeighborFlags)header.Flags,
        };
    }

    public static FdbEntry? ParseFdb(in NetlinkMessage message)
    {
        if (message.Type is not (MessageType.NewNeighbor or MessageType.DelNeighbor))
        {
            return null;
        }

        var header = message.ReadHeader<NdMsg>();
        if (header.Family != Family.Bridge)
        {
            return null;
        }

        IPAddress? destination = null;
        PhysicalAddress? mac = null;
        int? master = null;
        uint? vni = null;
        foreach (var a in message.Attributes(NdMsg.Size))
        {
            Policy.Check(a);
            switch (a.Type)
            {
                case NeighborAttr.Destination: destination = a.Address; break;
                case NeighborAttr.LinkLayerAddress: mac = new PhysicalAddress(a.Value.ToArray()); break;
                case NeighborAttr.Master: master = a.I32; break;
                case NeighborAttr.Vni: vni = a.U32; break;
            }
        }

        if (mac is null)
        {
            throw new NetlinkProtocolException($"FDB entry on index {header.Index} has no NDA_LLADDR");
        }

        return new FdbEntry(header.Index, mac)
        {
            Destination = destination,
            State = (NeighborState)header.State,
            Flags = (NeighborFlags)header.Flags,
            MasterIndex = master,
            Vni = vni,
        };
    }
}
