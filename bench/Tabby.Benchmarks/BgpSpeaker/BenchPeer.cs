using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Capabilities;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Benchmarks.BgpSpeaker;

/// <summary>
/// A bare BGP session for the ingest benchmark (injector and monitor roles): connect, exchange
/// OPEN and KEEPALIVE, keep the session alive; no RIB. Runs in whatever namespace the process is in.
/// </summary>
internal sealed class BenchPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private Task? _keepalives;

    private BenchPeer(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public NetworkStream Stream => _stream;

    public BgpSessionOptions Options { get; private set; } = BgpSessionOptions.Default;

    public static async Task<BenchPeer> ConnectAsync(IPAddress target, IPAddress source, uint asn, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = 4 << 20, ReceiveBufferSize = 4 << 20 };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(new IPEndPoint(target, 179)).ConfigureAwait(false);
                var peer = new BenchPeer(socket);
                await peer.HandshakeAsync(asn, source).ConfigureAwait(false);
                return peer;
            }
            catch (Exception e) when (e is SocketException or IOException && deadline.Elapsed < timeout)
            {
                socket.Dispose();
                await Task.Delay(500).ConfigureAwait(false);
            }
        }
    }

    private async Task HandshakeAsync(uint asn, IPAddress routerId)
    {
        var open = OpenMessage.Create(asn, 240, routerId,
        [
            new MultiprotocolCapability(AfiSafi.Ipv4Unicast), EmptyCapability.RouteRefresh, new FourOctetAsCapability(asn),
        ]);
        await _stream.WriteAsync(BgpMessageWriter.ToBytes(open)).ConfigureAwait(false);
        // Read until the peer's OPEN; then confirm it.
        var (type, body) = await ReadMessageAsync().ConfigureAwait(false);
        if (type != MessageType.Open) throw new IOException($"expected OPEN, got {type}");
        var theirs = OpenMessage.Decode(body);
        (_, Options) = BgpSessionOptions.Negotiate(open, theirs);
        await _stream.WriteAsync(BgpMessageWriter.ToBytes(KeepaliveMessage.Instance)).ConfigureAwait(false);
        _keepalives = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), _stop.Token).ConfigureAwait(false);
                    await WriteAsync(BgpMessageWriter.ToBytes(KeepaliveMessage.Instance)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private readonly byte[] _header = new byte[19];

    /// <summary>Reads one whole message (type and body).</summary>
    public async Task<(MessageType Type, byte[] Body)> ReadMessageAsync()
    {
        await _stream.ReadExactlyAsync(_header).ConfigureAwait(false);
        int length = _header[16] << 8 | _header[17];
        var body = new byte[length - 19];
        await _stream.ReadExactlyAsync(body).ConfigureAwait(false);
        return ((MessageType)_header[18], body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_keepalives is not null) await _keepalives.ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _writeLock.Dispose();
    }
}
