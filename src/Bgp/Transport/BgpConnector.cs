using System.Net;
using System.Net.Sockets;

namespace Tabby.Bgp.Transport;

/// <summary>Opens outgoing BGP connections with the peer's socket settings applied before the SYN.</summary>
public static class BgpConnector
{
    /// <summary>
    /// Connects to <paramref name="remote"/>, optionally from <paramref name="source"/>, with MD5,
    /// TTL / GTSM and CS6 set first (the MD5 key and TTL must be in place for the handshake).
    /// </summary>
    public static async Task<Socket> ConnectAsync(IPEndPoint remote, IPAddress? source, TransportSecurity security, SocketFactory factory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(security);
        ArgumentNullException.ThrowIfNull(factory);
        var socket = factory(remote.AddressFamily);
        try
        {
            ApplyPeerOptions(socket, remote.Address, security);
            if (source is not null) socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>MD5 key, TTL and minimum TTL, CS6: for connecting sockets and for accepted ones.</summary>
    public static void ApplyPeerOptions(Socket socket, IPAddress peer, TransportSecurity security)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(security);
        if (!string.IsNullOrEmpty(security.Password)) TcpSocketOptions.SetMd5Signature(socket, peer, security.Password);
        TcpSocketOptions.SetTtl(socket, security.EffectiveTtl, security.MinimumTtl);
        TcpSocketOptions.SetTrafficClass(socket);
    }
}
