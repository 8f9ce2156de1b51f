using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.Netlink;

/// <summary>A request in a batch that the kernel refused: the caller's tag and the error.</summary>
public readonly record struct BatchItemError(int Tag, NetlinkException Error);

/// <summary>
/// Packs many requests into large buffers and sends each buffer with one sendmsg, so installing
/// 100k routes costs a few hundred syscalls instead of 200k. Only the last message of a buffer asks
/// for an ACK; the kernel still reports every failed message (it always ACKs errors), so each
/// failure comes back with its sequence number and is mapped to the caller's tag.
/// </summary>
public sealed class NetlinkBatch : IDisposable
{
    /// <summary>Default bytes per sendmsg; 64 KiB sits in the fast range measured in bench/netlink (32-256 KiB).</summary>
    public const int DefaultBufferBytes = 64 * 1024;

    private readonly NetlinkSocket _socket;
    private readonly int _bufferBytes;
    private readonly MessageWriter _writer;
    private readonly List<int> _tags = [];
    private readonly List<BatchItemError> _errors = [];
    private uint _firstSequence;
    private int _lastMessageOffset;
    private int _reserved;

    public NetlinkBatch(NetlinkSocket socket, int bufferBytes = DefaultBufferBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferBytes, 1024);
        _socket = socket;
        _bufferBytes = bufferBytes;
        _writer = new MessageWriter(bufferBytes + 4096);
    }

    /// <summary>The writer to encode the open message's family header and attributes into.</summary>
    public MessageWriter Writer => _writer;

    /// <summary>Failed requests so far.</summary>
    public IReadOnlyList<BatchItemError> Errors => _errors;

    /// <summary>sendmsg calls made so far.</summary>
    public int SendCalls { get; private set; }

    /// <summary>Messages sent so far.</summary>
    public long MessagesSent { get; private set; }

    /// <summary>Opens a message of <paramref name="type"/>; <paramref name="tag"/> names it in <see cref="Errors"/>.</summary>
    public void Begin(ushort type, ushort flags, int tag)
    {
        if (_tags.Count == _reserved)
        {
            if (_tags.Count > 0)
            {
                Flush();
            }

            // Reserve sequence numbers for a full buffer of the smallest messages, so that a failed
            // sequence maps straight to its tag even when other requests share the socket.
            _reserved = _bufferBytes / NlMsgHdr.Size + 1;
            _firstSequence = _socket.ReserveSequences(_reserved);
        }

        _lastMessageOffset = _writer.Length;
        _writer.BeginMessage(type, (ushort)(flags | MessageFlags.Request), unchecked(_firstSequence + (uint)_tags.Count), _socket.PortId);
        _tags.Add(tag);
    }

    /// <summary>Closes the open message; sends the buffer when it is full.</summary>
    public void End()
    {
        _writer.EndMessage();
        if (_writer.Length >= _bufferBytes)
        {
            Flush();
        }
    }

    /// <summary>Drops the open message (its encoder rejected the input).</summary>
    public void Abandon()
    {
        _writer.AbandonMessage();
        _tags.RemoveAt(_tags.Count - 1);
    }

    /// <summary>Sends what is buffered and collects its errors.</summary>
    public void Flush()
    {
        if (_tags.Count == 0)
        {
            return;
        }

        var first = _firstSequence;
        var last = unchecked(_firstSequence + (uint)_tags.Count - 1);
        _socket.SendBatch(_writer, first, last, _lastMessageOffset,
            (seq, error) => _errors.Add(new BatchItemError(_tags[(int)unchecked(seq - first)], error)));
        SendCalls++;
        MessagesSent += _tags.Count;
        _writer.Clear();
        _tags.Clear();
        _reserved = 0;
    }

    public void Dispose() => _writer.Dispose();
}
