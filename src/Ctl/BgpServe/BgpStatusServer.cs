using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Ctl.BgpServe;

/// <summary>Answers status and routes requests on a Unix socket (mode 0600: root only, like birdc's socket).</summary>
internal sealed class BgpStatusServer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly BgpSpeaker _speaker;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string _path;

    public BgpStatusServer(string path, BgpSpeaker speaker, ILogger logger)
    {
        _path = path;
        _speaker = speaker;
        _logger = logger;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (File.Exists(path)) File.Delete(path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _socket.Listen(8);
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var line = (await reader.ReadLineAsync().ConfigureAwait(false))?.Trim() ?? "";
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            object response = parts.FirstOrDefault() switch
            {
                "status" => await _speaker.GetStatusAsync().ConfigureAwait(false),
                "routes" => await _speaker.GetRoutesAsync(parts.Length > 1 ? BgpPrefix.Parse(parts[1]) : null).ConfigureAwait(false),
                _ => new { error = $"unknown request '{line}' (status or routes [PREFIX])" },
            };
            await JsonSerializer.SerializeAsync(stream, response, BgpStatusProtocol.Json).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or FormatException)
        {
            _logger.LogDebug("status request failed: {Error}", e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
