using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Tabby.Bgp.Transport;

/// <summary>
/// Accepts BGP connections on one address and port (179 by default). Only configured peers are
/// accepted: the accept callback returns false for any other source, and the connection is
/// closed, logged and counted. TCP MD5 keys are installed on the listening socket per peer so the
/// kernel verifies the handshake itself (RFC 2385).
/// </summary>
public sealed class BgpListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Func<IPAddress, Socket, bool> _accept;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _rejected;

    private BgpListener(Socket socket, Func<IPAddress, Socket, bool> accept, ILogger logger)
    {
        _socket = socket;
        _accept = accept;
        _logger = logger;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections closed because their source is not a configured peer.</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejected);

    /// <summary>
    /// Binds and listens on <paramref name="endpoint"/>. <paramref name="accept"/> gets the remote
    /// address and the accepted socket and returns false to refuse it.
    /// </summary>
    public static BgpListener Start(IPEndPoint endpoint, SocketFactory factory, Func<IPAddress, Socket, bool> accept, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(factory);
        var socket = factory(endpoint.AddressFamily);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = false;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            TcpSocketOptions.SetTrafficClass(socket);
            socket.Bind(endpoint);
            socket.Listen(64);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new BgpListener(socket, accept, logger);
    }

    /// <summary>Installs or (with null) removes the MD5 key for connections from <paramref name="peer"/>.</summary>
    public void SetPassword(IPAddress peer, string? password)
    {
        if (peer.AddressFamily != _socket.AddressFamily) return;
        if (!string.IsNullOrEmpty(password))
        {
            TcpSocketOptions.SetMd5Signature(_socket, peer, password);
            return;
        }

        try
        {
            TcpSocketOptions.SetMd5Signature(_socket, peer, null);
        }
        catch (SocketException)
        {
            // No key was installed for this peer.
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning("accept on {Endpoint} failed: {Error}", LocalEndPoint, e.Message);
                continue;
            }

            var remote = (IPEndPoint)client.RemoteEndPoint!;
            var address = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
            bool accepted;
            try
            {
                accepted = _accept(address, client);
            }
            catch (Exception e) when (e is SocketException or InvalidOperationException or ArgumentException)
            {
                _logger.LogWarning("connection from {Remote} failed to start: {Error}", remote, e.Message);
                accepted = false;
            }

            if (!accepted)
            {
                Interlocked.Increment(ref _rejected);
                _logger.LogWarning("connection from {Remote} to {Local} refused: not a configured peer or not accepting", remote, LocalEndPoint);
                client.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }
}
