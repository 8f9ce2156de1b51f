using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Tabby.Ipam.Addressing;

/// <summary>
/// Address arithmetic for IPv4 and IPv6 on <see cref="UInt128"/>: ordinals inside a block, blocks
/// inside a pool. IPv4 addresses use the low 32 bits.
/// </summary>
public static class AddressMath
{
    public static int BitLength(AddressFamily family) => family == AddressFamily.InterNetwork ? 32 : 128;

    public static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new ArgumentException($"cannot encode {address}", nameof(address));
        }

        return written == 4
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static IPAddress FromNumber(UInt128 value, AddressFamily family)
    {
        if (family == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)value);
            return new IPAddress(v4);
        }

        Span<byte> v6 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(v6, value);
        return new IPAddress(v6);
    }

    /// <summary>Number of addresses in a network (at most 2^64 is meaningful for blocks).</summary>
    public static UInt128 Size(IPNetwork network) =>
        UInt128.One << (BitLength(network.BaseAddress.AddressFamily) - network.PrefixLength);

    /// <summary>The ordinal of <paramref name="address"/> inside <paramref name="block"/>, or -1 when outside.</summary>
    public static int OrdinalOf(IPNetwork block, IPAddress address)
    {
        if (address.AddressFamily != block.BaseAddress.AddressFamily || !block.Contains(address))
        {
            return -1;
        }

        return (int)(ToNumber(address) - ToNumber(block.BaseAddress));
    }

    public static IPAddress AddressAt(IPNetwork block, int ordinal) =>
        FromNumber(ToNumber(block.BaseAddress) + (uint)ordinal, block.BaseAddress.AddressFamily);

    /// <summary>How many blocks of <paramref name="blockPrefix"/> fit in <paramref name="pool"/>.</summary>
    public static UInt128 BlockCount(IPNetwork pool, int blockPrefix) => UInt128.One << (blockPrefix - pool.PrefixLength);

    /// <summary>The <paramref name="index"/>-th block of <paramref name="pool"/>.</summary>
    public static IPNetwork BlockAt(IPNetwork pool, int blockPrefix, UInt128 index)
    {
        var family = pool.BaseAddress.AddressFamily;
        var step = UInt128.One << (BitLength(family) - blockPrefix);
        return new IPNetwork(FromNumber(ToNumber(pool.BaseAddress) + (index * step), family), blockPrefix);
    }

    /// <summary>The block of size <paramref name="blockPrefix"/> that holds <paramref name="address"/>.</summary>
    public static IPNetwork BlockContaining(IPAddress address, int blockPrefix)
    {
        var family = address.AddressFamily;
        var hostBits = BitLength(family) - blockPrefix;
        var mask = hostBits == 128 ? UInt128.Zero : UInt128.MaxValue << hostBits;
        return new IPNetwork(FromNumber(ToNumber(address) & mask, family), blockPrefix);
    }

    /// <summary>Parses a CIDR and requires it to be canonical (no host bits set).</summary>
    public static bool TryParseCanonical(string text, out IPNetwork network) =>
        IPNetwork.TryParse(text, out network) && network.ToString() == NormalizeCidr(text);

    private static string NormalizeCidr(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            ? text
            : address + text[slash..];
    }
}
