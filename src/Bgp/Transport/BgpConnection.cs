using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tabby.Bgp.Fsm;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Transport;

/// <summary>
/// BGP over one connected TCP socket. Reading: a <see cref="PipeReader"/> over the socket's stream;
/// whole messages are cut with <see cref="BgpFrameReader.TryRead"/> (peek-then-advance) and decoded
/// with the options negotiated so far, then handed to the <see cref="IConnectionHandler"/>.
/// Writing: messages are encoded straight into an in-memory <see cref="Pipe"/> (so
/// <see cref="Send"/> never blocks) and a pump task moves the bytes to the socket in order.
/// </summary>
public sealed class BgpConnection : IBgpConnection, IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Pipe _outgoing = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
    private readonly Lock _writeLock = new();
    private readonly ILogger _logger;
    private readonly MessageCounters _counters;
    private readonly AttributeSetInterner? _interner;
    private IConnectionHandler? _handler;
    private volatile BgpSessionOptions _receive = BgpSessionOptions.Default;
    private volatile BgpSessionOptions _send = BgpSessionOptions.Default;
    private long _queuedBytes;
    private int _closing;
    private Task? _readLoop;
    private Task? _pump;

    public BgpConnection(Socket socket, bool incoming, MessageCounters counters, ILogger logger, AttributeSetInterner? interner = null)
    {
        _socket = socket ?? throw new ArgumentNullException(nameof(socket));
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: false);
        IsIncoming = incoming;
        _counters = counters;
        _logger = logger;
        _interner = interner;
        LocalEndPoint = Normalize(socket.LocalEndPoint as IPEndPoint);
        RemoteEndPoint = Normalize(socket.RemoteEndPoint as IPEndPoint);
    }

    public bool IsIncoming { get; }

    public IPEndPoint? LocalEndPoint { get; }

    public IPEndPoint? RemoteEndPoint { get; }

    public Socket Socket => _socket;

    /// <summary>Bytes queued but not yet handed to the kernel (back-pressure signal for bulk sends).</summary>
    public long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    public BgpSessionOptions SendOptions => _send;

    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>Starts reading and sending; messages go to <paramref name="handler"/>.</summary>
    public void Start(IConnectionHandler handler)
    {
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _pump = Task.Run(PumpAsync);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public void SetSessionOptions(BgpSessionOptions receive, BgpSessionOptions send)
    {
        _receive = receive ?? throw new ArgumentNullException(nameof(receive));
        _send = send ?? throw new ArgumentNullException(nameof(send));
    }

    public void Send(BgpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_writeLock)
        {
            if (IsClosing) return;
            int n = BgpMessageWriter.Write(_outgoing.Writer, message, _send);
            Interlocked.Add(ref _queuedBytes, n);
            _counters.CountOut(message.Type);
            _ = _outgoing.Writer.FlushAsync();
        }
    }

    /// <summary>
    /// Writes pre-encoded UPDATEs (e.g. from <see cref="UpdateBuilder"/>); <paramref name="write"/>
    /// returns how many messages it wrote. False when the connection is closing.
    /// </summary>
    public bool SendUpdates(Func<IBufferWriter<byte>, BgpSessionOptions, int> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        lock (_writeLock)
        {
            if (IsClosing) return false;
            long before = _outgoing.Writer.UnflushedBytes;
            int messages = write(_outgoing.Writer, _send);
            Interlocked.Add(ref _queuedBytes, _outgoing.Writer.UnflushedBytes - before);
            _counters.CountOut(MessageType.Update, messages);
            _ = _outgoing.Writer.FlushAsync();
            return true;
        }
    }

    public void Close()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        lock (_writeLock)
        {
            // The pump sends what is queued (e.g. a NOTIFICATION), then shuts the socket down.
            _outgoing.Writer.Complete();
        }
    }

    private async Task PumpAsync()
    {
        var reader = _outgoing.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    int sent = 0;
                    while (sent < segment.Length)
                        sent += await _socket.SendAsync(segment[sent..], SocketFlags.None).ConfigureAwait(false);
                    Interlocked.Add(ref _queuedBytes, -segment.Length);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            if (!IsClosing) _handler?.OnClosed(this, SessionReason.Of(SessionReasonKind.ConnectionFailed, $"send to {RemoteEndPoint} failed: {e.Message}"));
            Interlocked.Exchange(ref _closing, 1);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            ShutdownSocket();
        }
    }

    private void ShutdownSocket()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        _socket.Close();
    }

    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 65536, minimumReadSize: 16384));
        string? endReason = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (BgpFrameReader.TryRead(ref buffer, _receive, out var frame))
                    {
                        _counters.CountIn(frame.Type);
                        BgpMessage message;
                        try
                        {
                            message = BgpMessageDecoder.Decode(frame, _receive, _interner);
                        }
                        catch (BgpProtocolException e)
                        {
                            _handler!.OnProtocolError(this, e.Error);
                            return;
                        }

                        _handler!.OnMessage(this, message);
                        if (IsClosing) return;
                    }
                }
                catch (BgpProtocolException e)
                {
                    _handler!.OnProtocolError(this, e.Error);
                    return;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    endReason = "connection closed by the peer";
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            endReason = $"connection error: {(e.InnerException ?? e).Message}";
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        if (!IsClosing && endReason is not null)
        {
            _logger.LogDebug("{Remote}: {Reason}", RemoteEndPoint, endReason);
            _handler!.OnClosed(this, SessionReason.Of(SessionReasonKind.ConnectionClosed, endReason));
        }

        Close();
    }

    private static IPEndPoint? Normalize(IPEndPoint? e) =>
        e is not null && e.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(e.Address.MapToIPv4(), e.Port) : e;

    public async ValueTask DisposeAsync()
    {
        Close();
        try
        {
            if (_pump is not null) await _pump.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // Already reported through the handler.
        }

        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    public override string ToString() => $"{(IsIncoming ? "from" : "to")} {RemoteEndPoint}";
}
