using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Rib.Storage;

/// <summary>
/// Stable handles for prefixes, shared by the Loc-RIB and the Adj-RIB-Outs: an IPv4 prefix is
/// keyed by one 64-bit integer (address and length), an IPv6 prefix by the prefix value. A handle
/// is an IPv4 index (0 and up) or the bitwise complement of an IPv6 index (negative).
/// </summary>
internal sealed class PrefixIndex
{
    private readonly PrefixKeyTable<ulong> _v4 = new();
    private readonly PrefixKeyTable<BgpPrefix> _v6 = new();

    public int Count => _v4.Count + _v6.Count;

    public PrefixKeyTable<ulong> Ipv4 => _v4;

    public PrefixKeyTable<BgpPrefix> Ipv6 => _v6;

    private static ulong Key4(BgpPrefix prefix) => ((ulong)prefix.Ipv4Address << 8) | prefix.Length;

    /// <summary>The handle of <paramref name="prefix"/> when it is known.</summary>
    public bool TryFind(BgpPrefix prefix, out int handle)
    {
        if (prefix.IsIpv4)
        {
            handle = _v4.Find(Key4(prefix));
            return handle >= 0;
        }

        int i = _v6.Find(prefix);
        handle = ~i;
        return i >= 0;
    }

    public int GetOrAdd(BgpPrefix prefix, out bool added) =>
        prefix.IsIpv4 ? _v4.GetOrAdd(Key4(prefix), out added) : ~_v6.GetOrAdd(prefix, out added);

    public BgpPrefix PrefixOf(int handle)
    {
        if (handle < 0) return _v6.KeyAt(~handle);
        ulong k = _v4.KeyAt(handle);
        return BgpPrefix.FromIpv4((uint)(k >> 8), (int)(k & 0xFF));
    }

    public static Afi AfiOf(int handle) => handle < 0 ? Afi.Ipv6 : Afi.Ipv4;

    public void Remove(int handle)
    {
        if (handle < 0) _v6.Remove(~handle);
        else _v4.Remove(handle);
    }

    public void Clear()
    {
        _v4.Clear();
        _v6.Clear();
    }
}
