using System.Net.Http.Json;
using System.Net.Sockets;

namespace Tabby.Common.Status;

/// <summary>Reads tabby-node's status from its local unix socket (no root needed when the socket mode allows).</summary>
public static class StatusClient
{
    public const string DefaultSocket = "/var/run/tabby/status.sock";

    public static async Task<StatusDocument?> ReadAsync(string socketPath, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
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
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetFromJsonAsync(new Uri("http://localhost/status"), StatusJsonContext.Default.StatusDocument, cancellationToken)
            .ConfigureAwait(false);
    }
}
