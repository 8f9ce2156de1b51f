using System.Net.NetworkInformation;
using Tabby.Felix.Netlink.Links;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.Netlink;

public sealed partial class NetlinkClient
{
    /// <summary><c>ip -d link show</c>.</summary>
    public List<Link> ListLinks() =>
        Socket.Dump(MessageType.GetLink, "RTM_GETLINK dump", w => w.Write(new IfInfoMsg()), LinkCodec.Parse);

    /// <summary><c>ip -d link show dev NAME</c>; null when there is no such device.</summary>
    public Link? GetLink(string name)
    {
        ValidateName(name);
        return GetLinkOrNull($"RTM_GETLINK {name}", w =>
        {
            w.Write(new IfInfoMsg());
            w.AttributeString(LinkAttr.Name, name);
        });
    }

    /// <summary><c>ip -d link show</c> filtered to one ifindex; null when there is no such device.</summary>
    public Link? GetLink(int index) =>
        GetLinkOrNull($"RTM_GETLINK index {index}", w => w.Write(new IfInfoMsg { Index = index }));

    /// <summary><c>ip link add NAME type veth peer name PEER [mtu N]</c>.</summary>
    public void CreateVeth(VethSpec spec)
    {
        ValidateName(spec.Name);
        ValidateName(spec.PeerName);
        CreateLink($"create veth {spec.Name}/{spec.PeerName}", w => LinkCodec.EncodeVeth(w, spec));
    }

    /// <summary><c>ip link add NAME [address MAC] [mtu N] type vxlan id VNI dstport PORT [local IP] [dev PARENT] nolearning</c>.</summary>
    public void CreateVxlan(VxlanSpec spec)
    {
        ValidateName(spec.Name);
        if (spec.Vni > 0xFFFFFF)
        {
            throw new ArgumentException($"VXLAN VNI {spec.Vni} exceeds 24 bits", nameof(spec));
        }

        CreateLink($"create vxlan {spec.Name}", w => LinkCodec.EncodeVxlan(w, spec));
    }

    /// <summary><c>ip link add NAME [mtu N] type ipip [local IP] [remote IP] [dev PARENT] [ttl N]</c>.
    /// Fails with EOPNOTSUPP on kernels without IPIP.</summary>
    public void CreateIpip(IpipSpec spec)
    {
        ValidateName(spec.Name);
        CreateLink($"create ipip {spec.Name}", w => LinkCodec.EncodeIpip(w, spec));
    }

    /// <summary><c>ip link del dev INDEX</c>.</summary>
    public void DeleteLink(int index) =>
        Socket.Execute(MessageType.DelLink, 0, $"RTM_DELLINK index {index}", w => w.Write(new IfInfoMsg { Index = index }));

    /// <summary><c>ip link del dev NAME</c>.</summary>
    public void DeleteLink(string name)
    {
        ValidateName(name);
        Socket.Execute(MessageType.DelLink, 0, $"RTM_DELLINK {name}", w =>
        {
            w.Write(new IfInfoMsg());
            w.AttributeString(LinkAttr.Name, name);
        });
    }

    /// <summary><c>ip link set dev INDEX up</c> / <c>down</c>.</summary>
    public void SetLinkUp(int index, bool up = true) =>
        Socket.Execute(MessageType.NewLink, 0, $"set link {index} {(up ? "up" : "down")}", w => LinkCodec.EncodeSet(w, index, up, null, null));

    /// <summary><c>ip link set dev INDEX mtu N</c>.</summary>
    public void SetLinkMtu(int index, int mtu)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, 68);
        Socket.Execute(MessageType.NewLink, 0, $"set link {index} mtu {mtu}", w => LinkCodec.EncodeSet(w, index, null, mtu, null));
    }

    /// <summary><c>ip link set dev INDEX address MAC</c>.</summary>
    public void SetLinkAddress(int index, PhysicalAddress address) =>
        Socket.Execute(MessageType.NewLink, 0, $"set link {index} address {address}", w => LinkCodec.EncodeSet(w, index, null, null, address));

    private void CreateLink(string operation, Action<MessageWriter> encode) =>
        Socket.Execute(MessageType.NewLink, MessageFlags.Create | MessageFlags.Exclusive, operation, encode);

    private Link? GetLinkOrNull(string operation, Action<MessageWriter> build)
    {
        try
        {
            return Socket.Get(MessageType.GetLink, operation, build, LinkCodec.Parse);
        }
        catch (NetlinkException e) when (e.Errno is Errno.ENODEV)
        {
            return null;
        }
    }

    /// <summary>Linux interface names: 1..15 bytes, no '/', no whitespace, not "." or "..".</summary>
    internal static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 15 || name is "." or ".."
            || name.Any(c => c == '/' || c == ':' || char.IsWhiteSpace(c) || c > 0x7e))
        {
            throw new ArgumentException($"'{name}' is not a valid interface name (1-15 printable characters, no '/', ':' or spaces)", nameof(name));
        }
    }
}
