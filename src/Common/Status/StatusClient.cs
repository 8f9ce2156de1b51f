using System.Net.Http.Json;
using System.Net.Sockets;

namespace Tabby.Common.Status;

/// <summary>Reads tabby-node's status from its local unix socket (no root needed when the socket mode allows).</summary>
public static class StatusClient
{
    public const string DefaultSocket = "/var/run/tabby/status.sock";

    public static async Task<StatusDocument?> ReadAsync(string socketPath, CancellationToken cancellationToken)
    {
        using var http = Connect(socketPath);
        return await http.GetFromJsonAsync(new Uri("http://localhost/status"), StatusJsonContext.Default.StatusDocument, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The node's RIB and FIB with where each route came from.</summary>
    public static async Task<RoutesDocument?> ReadRoutesAsync(string socketPath, CancellationToken cancellationToken)
    {
        using var http = Connect(socketPath);
        return await http.GetFromJsonAsync(new Uri("http://localhost/routes"), RoutesJsonContext.Default.RoutesDocument, cancellationToken)
            .ConfigureAwait(false);
    }

    private static HttpClient Connect(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(10) };
    }
}
