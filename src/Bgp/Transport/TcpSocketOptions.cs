using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Tabby.Bgp.Transport;

/// <summary>
/// Linux socket options BGP needs that .NET has no property for, set with setsockopt through
/// <see cref="Socket.SetRawSocketOption"/> (which passes the bytes to setsockopt unchanged).
/// </summary>
public static class TcpSocketOptions
{
    private const int IpProtoIp = 0;
    private const int IpProtoTcp = 6;
    private const int IpProtoIpv6 = 41;
    private const int TcpMd5Sig = 14;          // linux/tcp.h TCP_MD5SIG
    private const int IpTos = 1;               // linux/in.h IP_TOS
    private const int IpMinTtl = 21;           // linux/in.h IP_MINTTL
    private const int Ipv6TClass = 67;         // linux/in6.h IPV6_TCLASS
    private const int Ipv6MinHopCount = 73;    // linux/in6.h IPV6_MINHOPCOUNT
    private const int AfInet = 2;
    private const int AfInet6 = 10;

    /// <summary>Longest key the kernel accepts (TCP_MD5SIG_MAXKEYLEN).</summary>
    public const int MaxMd5KeyLength = 80;

    /// <summary>DSCP CS6 (network control) in the TOS / traffic class byte, as routing protocols use.</summary>
    public const byte TosCs6 = 0xC0;

    /// <summary>
    /// Sets (or with a null/empty key removes) the RFC 2385 TCP MD5 signature key for
    /// <paramref name="peer"/> on <paramref name="socket"/>. On a listening socket the key applies to
    /// connections accepted from that address. Layout of struct tcp_md5sig (linux/tcp.h):
    /// sockaddr_storage tcpm_addr (128), u8 tcpm_flags, u8 tcpm_prefixlen, u16 tcpm_keylen,
    /// u32 pad, u8 tcpm_key[80].
    /// </summary>
    public static void SetMd5Signature(Socket socket, IPAddress peer, string? key)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(peer);
        var keyBytes = System.Text.Encoding.UTF8.GetBytes(key ?? "");
        if (keyBytes.Length > MaxMd5KeyLength)
            throw new ArgumentException($"TCP MD5 password is {keyBytes.Length} bytes, the kernel allows at most {MaxMd5KeyLength}", nameof(key));
        Span<byte> sig = stackalloc byte[128 + 8 + MaxMd5KeyLength];
        sig.Clear();
        // An IPv4 peer on an IPv6 socket is matched by its v4-mapped address.
        var address = socket.AddressFamily == AddressFamily.InterNetworkV6 && peer.AddressFamily == AddressFamily.InterNetwork ? peer.MapToIPv6() : peer;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(sig, AfInet);
            address.TryWriteBytes(sig[4..8], out _);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(sig, AfInet6);
            address.TryWriteBytes(sig[8..24], out _);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(sig[130..], (ushort)keyBytes.Length);
        keyBytes.CopyTo(sig[136..]);
        socket.SetRawSocketOption(IpProtoTcp, TcpMd5Sig, sig);
    }

    /// <summary>
    /// TTL of sent packets, and the minimum TTL accepted (GTSM, RFC 5082 section 3: send 255, accept
    /// only 256 - hops and more). <paramref name="minimumTtl"/> 0 disables the check.
    /// </summary>
    public static void SetTtl(Socket socket, int ttl, int minimumTtl)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ttl, 255);
        socket.Ttl = (short)ttl;
        if (minimumTtl > 0)
        {
            Span<byte> value = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(value, minimumTtl);
            if (socket.AddressFamily == AddressFamily.InterNetworkV6) socket.SetRawSocketOption(IpProtoIpv6, Ipv6MinHopCount, value);
            else socket.SetRawSocketOption(IpProtoIp, IpMinTtl, value);
        }
    }

    /// <summary>Marks packets CS6 (IP_TOS / IPV6_TCLASS), as BGP implementations do for network control traffic.</summary>
    public static void SetTrafficClass(Socket socket, byte tos = TosCs6)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> value = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(value, tos);
        if (socket.AddressFamily == AddressFamily.InterNetworkV6) socket.SetRawSocketOption(IpProtoIpv6, Ipv6TClass, value);
        else socket.SetRawSocketOption(IpProtoIp, IpTos, value);
    }

    /// <summary>Reads back IP_TOS / IPV6_TCLASS (for tests).</summary>
    public static int GetTrafficClass(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> value = stackalloc byte[4];
        int n = socket.AddressFamily == AddressFamily.InterNetworkV6
            ? socket.GetRawSocketOption(IpProtoIpv6, Ipv6TClass, value)
            : socket.GetRawSocketOption(IpProtoIp, IpTos, value);
        return n >= 1 ? value[0] : -1;
    }

    /// <summary>Reads back IP_MINTTL / IPV6_MINHOPCOUNT (for tests).</summary>
    public static int GetMinimumTtl(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> value = stackalloc byte[4];
        _ = socket.AddressFamily == AddressFamily.InterNetworkV6
            ? socket.GetRawSocketOption(IpProtoIpv6, Ipv6MinHopCount, value)
            : socket.GetRawSocketOption(IpProtoIp, IpMinTtl, value);
        return BinaryPrimitives.ReadInt32LittleEndian(value);
    }
}
