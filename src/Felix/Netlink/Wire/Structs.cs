using System.Runtime.InteropServices;

namespace Tabby.Felix.Netlink.Wire;

// Fixed headers of the rtnetlink messages, laid out as in the kernel's uapi headers
// (host byte order; netlink is a host-local protocol).

/// <summary>struct nlmsghdr (linux/netlink.h), 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NlMsgHdr
{
    public uint Length;
    public ushort Type;
    public ushort Flags;
    public uint Sequence;
    public uint PortId;

    public const int Size = 16;
}

/// <summary>struct ifinfomsg (linux/rtnetlink.h), 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct IfInfoMsg
{
    public byte Family;
    public byte Pad;
    public ushort Type;
    public int Index;
    public uint Flags;
    public uint Change;

    public const int Size = 16;
}

/// <summary>struct ifaddrmsg (linux/if_addr.h), 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct IfAddrMsg
{
    public byte Family;
    public byte PrefixLength;
    public byte Flags;
    public byte Scope;
    public int Index;

    public const int Size = 8;
}

/// <summary>struct rtmsg (linux/rtnetlink.h), 12 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RtMsg
{
    public byte Family;
    public byte DestinationLength;
    public byte SourceLength;
    public byte Tos;
    public byte Table;
    public byte Protocol;
    public byte Scope;
    public byte Type;
    public uint Flags;

    public const int Size = 12;
}

/// <summary>struct rtnexthop (linux/rtnetlink.h), 8 bytes, followed by its attributes.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RtNextHop
{
    public ushort Length;
    public byte Flags;
    public byte Hops;
    public int InterfaceIndex;

    public const int Size = 8;
}

/// <summary>struct ndmsg (linux/neighbour.h), 12 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct NdMsg
{
    public byte Family;
    public byte Pad1;
    public ushort Pad2;
    public int Index;
    public ushort State;
    public byte Flags;
    public byte Type;

    public const int Size = 12;
}
