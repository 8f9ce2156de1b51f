using System.Net;
using System.Net.Sockets;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.Netlink.Addresses;

/// <summary>RT_SCOPE_* (linux/rtnetlink.h).</summary>
public enum Scope : byte
{
    Universe = 0,
    Site = 200,
    Link = 253,
    Host = 254,
    Nowhere = 255,
}

/// <summary>
/// An address on an interface: <c>ip addr add ADDRESS/PREFIX dev IFINDEX [scope S] [label L]</c>.
/// </summary>
public sealed record InterfaceAddress(int InterfaceIndex, IPAddress Address, int PrefixLength)
{
    public Scope Scope { get; init; }

    public string? Label { get; init; }

    /// <summary>IFA_F_* flags (0x02 NODAD, 0x80 PERMANENT).</summary>
    public uint Flags { get; init; }

    public AddressFamily Family => Address.AddressFamily;

    public override string ToString() => $"{Address}/{PrefixLength} dev {InterfaceIndex}";
}

/// <summary>Encodes RTM_NEWADDR/RTM_DELADDR and parses address dumps.</summary>
public static class AddressCodec
{
    /// <summary>IFA_F_NODAD: skip IPv6 duplicate address detection (addresses are usable at once).</summary>
    public const uint NoDad = 0x02;

    private static readonly AttributePolicy Policy = new("RTM_NEWADDR",
        (AddressAttr.Address, "IFA_ADDRESS", AttributeShape.Address),
        (AddressAttr.Local, "IFA_LOCAL", AttributeShape.Address),
        (AddressAttr.Label, "IFA_LABEL", AttributeShape.String),
        (AddressAttr.Flags, "IFA_FLAGS", AttributeShape.U32));

    public static void Encode(MessageWriter w, InterfaceAddress address)
    {
        var family = FamilyOf(address.Address);
        var maxPrefix = family == Family.Inet ? 32 : 128;
        if (address.PrefixLength < 0 || address.PrefixLength > maxPrefix)
        {
            throw new ArgumentException($"prefix length {address.PrefixLength} is outside 0..{maxPrefix} for {address.Address}", nameof(address));
        }

        w.Write(new IfAddrMsg
        {
            Family = family,
            PrefixLength = (byte)address.PrefixLength,
            Flags = (byte)(address.Flags & 0xff),
            Scope = (byte)address.Scope,
            Index = address.InterfaceIndex,
        });
        // Like iproute2: IFA_LOCAL is the interface's own address, IFA_ADDRESS the peer (same for broadcast links).
        w.AttributeAddress(AddressAttr.Local, address.Address);
        w.AttributeAddress(AddressAttr.Address, address.Address);
        if (address.Label is not null)
        {
            w.AttributeString(AddressAttr.Label, address.Label);
        }

        if (address.Flags > 0xff)
        {
            w.AttributeU32(AddressAttr.Flags, address.Flags);
        }
    }

    public static InterfaceAddress? Parse(in NetlinkMessage message)
    {
        if (message.Type is not (MessageType.NewAddress or MessageType.DelAddress))
        {
            return null;
        }

        var header = message.ReadHeader<IfAddrMsg>();
        IPAddress? address = null, local = null;
        string? label = null;
        uint flags = header.Flags;
        foreach (var a in message.Attributes(IfAddrMsg.Size))
        {
            Policy.Check(a, header.Family);
            switch (a.Type)
            {
                case AddressAttr.Address: address = a.Address; break;
                case AddressAttr.Local: local = a.Address; break;
                case AddressAttr.Label: label = a.String; break;
                case AddressAttr.Flags: flags = a.U32; break;
            }
        }

        var own = local ?? address ?? throw new NetlinkProtocolException($"RTM_NEWADDR on index {header.Index} has no address");
        return new InterfaceAddress(header.Index, own, header.PrefixLength)
        {
            Scope = (Scope)header.Scope,
            Label = label,
            Flags = flags,
        };
    }

    public static byte FamilyOf(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => Family.Inet,
        AddressFamily.InterNetworkV6 => Family.Inet6,
        _ => throw new ArgumentException($"{address} is neither IPv4 nor IPv6", nameof(address)),
    };
}
