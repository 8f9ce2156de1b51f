using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Tabby.Bgp.Wire.Nlri;

/// <summary>
/// An IPv4 or IPv6 prefix as a small value (two 64-bit halves of the address, a length and the
/// family), so decoding NLRI never allocates per prefix. Bits beyond the length are always zero
/// (RFC 4271 section 4.3 makes them irrelevant), so equal prefixes compare equal.
/// </summary>
public readonly record struct BgpPrefix
{
    private readonly ulong _high;
    private readonly ulong _low;

    private BgpPrefix(Afi afi, ulong high, ulong low, byte length)
    {
        Afi = afi;
        Length = length;
        // Clear host bits so the value is canonical.
        if (afi == Afi.Ipv4)
        {
            ulong mask = length == 0 ? 0 : (0xFFFFFFFFUL << (32 - length)) & 0xFFFFFFFFUL;
            _high = high & mask;
            _low = 0;
        }
        else
        {
            _high = length >= 64 ? high : length == 0 ? 0 : high & (ulong.MaxValue << (64 - length));
            _low = length <= 64 ? 0 : length == 128 ? low : low & (ulong.MaxValue << (128 - length));
        }
    }

    public Afi Afi { get; }

    /// <summary>Prefix length in bits.</summary>
    public byte Length { get; }

    public bool IsIpv4 => Afi == Afi.Ipv4;

    /// <summary>An IPv4 prefix from the address as a host-order integer.</summary>
    public static BgpPrefix FromIpv4(uint address, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, 32u, nameof(length));
        return new BgpPrefix(Afi.Ipv4, address, 0, (byte)length);
    }

    /// <summary>An IPv6 prefix from the two 64-bit halves of the address.</summary>
    public static BgpPrefix FromIpv6(ulong high, ulong low, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, 128u, nameof(length));
        return new BgpPrefix(Afi.Ipv6, high, low, (byte)length);
    }

    /// <summary>Builds a prefix from the significant address bytes as they appear in NLRI (RFC 4271 section 4.3).</summary>
    public static BgpPrefix FromNlriBytes(Afi afi, int length, ReadOnlySpan<byte> addressBytes)
    {
        if (afi == Afi.Ipv4 && addressBytes.Length <= 4)
        {
            // The common case, without a 16-byte scratch buffer.
            uint address = 0;
            for (int i = 0; i < addressBytes.Length; i++) address |= (uint)addressBytes[i] << (24 - (8 * i));
            return new BgpPrefix(Afi.Ipv4, address, 0, (byte)length);
        }

        Span<byte> full = stackalloc byte[16];
        full.Clear();
        addressBytes.CopyTo(full);
        return afi == Afi.Ipv6
            ? new BgpPrefix(Afi.Ipv6, BinaryPrimitives.ReadUInt64BigEndian(full), BinaryPrimitives.ReadUInt64BigEndian(full[8..]), (byte)length)
            : new BgpPrefix(Afi.Ipv4, BinaryPrimitives.ReadUInt32BigEndian(full), 0, (byte)length);
    }

    /// <summary>The IPv4 address as a host-order integer (valid for IPv4 prefixes).</summary>
    public uint Ipv4Address => (uint)_high;

    /// <summary>Number of address bytes this prefix takes in NLRI.</summary>
    public int NlriByteCount => (Length + 7) / 8;

    /// <summary>Writes the length byte and the significant address bytes (RFC 4271 section 4.3); returns bytes written.</summary>
    public int WriteNlri(Span<byte> destination)
    {
        int count = NlriByteCount;
        destination[0] = Length;
        if (Afi == Afi.Ipv4)
        {
            uint address = (uint)_high;
            for (int i = 0; i < count; i++) destination[1 + i] = (byte)(address >> (24 - (8 * i)));
            return count + 1;
        }

        Span<byte> full = stackalloc byte[16];
        WriteAddress(full);
        full[..count].CopyTo(destination[1..]);
        return count + 1;
    }

    /// <summary>Writes the full address (4 or 16 bytes, network order); returns bytes written.</summary>
    public int WriteAddress(Span<byte> destination)
    {
        if (Afi == Afi.Ipv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_high);
            return 4;
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
        return 16;
    }

    public IPAddress Address
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            int n = WriteAddress(bytes);
            return new IPAddress(bytes[..n]);
        }
    }

    public IPNetwork ToIPNetwork() => new(Address, Length);

    /// <summary>Parses "198.51.100.0/24" or "2001:db8::/32".</summary>
    public static BgpPrefix Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var network = IPNetwork.Parse(text);
        Span<byte> bytes = stackalloc byte[16];
        network.BaseAddress.TryWriteBytes(bytes, out int written);
        return FromNlriBytes(network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? Afi.Ipv6 : Afi.Ipv4,
            network.PrefixLength, bytes[..written]);
    }

    public override string ToString() => Address + "/" + Length.ToString(CultureInfo.InvariantCulture);
}
