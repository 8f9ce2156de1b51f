using System.Buffers.Binary;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.Netlink;

/// <summary>Turns one received message into a typed value (or null to skip it).</summary>
public delegate T? MessageParser<T>(in NetlinkMessage message);

/// <summary>
/// Request/response over one NETLINK_ROUTE socket: sequence numbers per request, replies checked
/// for our sequence and port id, NLMSG_ERROR turned into <see cref="NetlinkException"/> with the
/// errno name and extended-ACK text, multipart dumps read to NLMSG_DONE and retried when the
/// kernel flags them interrupted (NLM_F_DUMP_INTR). One request at a time per socket (locked).
/// </summary>
public sealed class NetlinkSocket : IDisposable
{
    /// <summary>How many times a dump the kernel marked inconsistent is re-read before giving up.</summary>
    public const int MaxDumpAttempts = 10;

    private readonly INetlinkTransport _transport;
    private readonly byte[] _receiveBuffer;
    private readonly Lock _lock = new();
    private uint _sequence;

    internal NetlinkSocket(INetlinkTransport transport, int datagramBufferBytes = 1 << 20)
    {
        _transport = transport;
        _receiveBuffer = GC.AllocateUninitializedArray<byte>(datagramBufferBytes, pinned: true);
        // Start from a time-derived value so replies to a previous socket with the same port id are never taken for ours.
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>Opens a socket in the calling thread's network namespace.</summary>
    public static NetlinkSocket Open(NetlinkSocketOptions? options = null)
    {
        options ??= new NetlinkSocketOptions();
        return new NetlinkSocket(LinuxNetlinkTransport.Open(options), options.DatagramBufferBytes);
    }

    /// <summary>Opens a socket in the namespace whose file is <paramref name="namespacePath"/> (e.g. /run/netns/NAME).</summary>
    public static NetlinkSocket OpenInNamespace(string namespacePath, NetlinkSocketOptions? options = null)
    {
        options ??= new NetlinkSocketOptions();
        return new NetlinkSocket(LinuxNetlinkTransport.OpenInNamespace(namespacePath, options), options.DatagramBufferBytes);
    }

    public uint PortId => _transport.PortId;

    /// <summary>Number of interrupted dumps re-read since the socket opened (for tests and metrics).</summary>
    public int InterruptedDumps { get; private set; }

    internal uint NextSequence() => unchecked(++_sequence == 0 ? ++_sequence : _sequence);

    /// <summary>Reserves <paramref name="count"/> consecutive sequence numbers and returns the first.</summary>
    internal uint ReserveSequences(int count)
    {
        lock (_lock)
        {
            var first = NextSequence();
            _sequence = unchecked(_sequence + (uint)count - 1);
            return first;
        }
    }

    /// <summary>
    /// Sends a single request built by <paramref name="build"/> with NLM_F_ACK and waits for the
    /// kernel's ACK; throws <see cref="NetlinkException"/> with <paramref name="operation"/> on error.
    /// </summary>
    public void Execute(ushort type, ushort flags, string operation, Action<MessageWriter> build)
    {
        using var writer = new MessageWriter();
        lock (_lock)
        {
            var seq = NextSequence();
            writer.BeginMessage(type, (ushort)(flags | MessageFlags.Request | MessageFlags.Ack), seq);
            build(writer);
            writer.EndMessage();
            _transport.Send(writer.WrittenSpan);
            WaitForAck(seq, operation);
        }
    }

    /// <summary>Sends a GET for one object and parses the single reply.</summary>
    public T Get<T>(ushort type, string operation, Action<MessageWriter> build, MessageParser<T> parse) where T : class
    {
        using var writer = new MessageWriter();
        lock (_lock)
        {
            var seq = NextSequence();
            writer.BeginMessage(type, MessageFlags.Request, seq);
            build(writer);
            writer.EndMessage();
            _transport.Send(writer.WrittenSpan);
            while (true)
            {
                var length = _transport.Receive(_receiveBuffer);
                foreach (var message in new MessageReader(_receiveBuffer.AsSpan(0, length)))
                {
                    if (!IsOurs(message, seq))
                    {
                        continue;
                    }

                    if (message.Type == MessageType.Error)
                    {
                        ThrowIfError(message, operation);
                        throw new NetlinkProtocolException($"{operation}: ACK without a reply");
                    }

                    return parse(message) ?? throw new NetlinkProtocolException($"{operation}: reply {MessageType.Name(message.Type)} did not parse");
                }
            }
        }
    }

    /// <summary>
    /// Dumps a table: sends the request built by <paramref name="build"/> with NLM_F_DUMP and
    /// collects every parsed reply until NLMSG_DONE. When any part carried NLM_F_DUMP_INTR the
    /// kernel's table changed during the dump, so the whole dump is read again (up to
    /// <see cref="MaxDumpAttempts"/> times).
    /// </summary>
    public List<T> Dump<T>(ushort type, string operation, Action<MessageWriter> build, MessageParser<T> parse)
    {
        using var writer = new MessageWriter();
        lock (_lock)
        {
            for (var attempt = 1; ; attempt++)
            {
                var seq = NextSequence();
                writer.Clear();
                writer.BeginMessage(type, MessageFlags.Request | MessageFlags.Dump, seq);
                build(writer);
                writer.EndMessage();
                _transport.Send(writer.WrittenSpan);
                var results = new List<T>();
                var interrupted = ReadDump(seq, operation, parse, results);
                if (!interrupted)
                {
                    return results;
                }

                InterruptedDumps++;
                if (attempt >= MaxDumpAttempts)
                {
                    throw new NetlinkException((int)Errno.EINTR, $"{operation} (dump interrupted {attempt} times in a row)");
                }
            }
        }
    }

    /// <summary>
    /// Sends a batch of prepared messages in one sendmsg. The last message carries NLM_F_ACK; the
    /// others report only failures (the kernel always acknowledges an error), so the ACK of the
    /// last one closes the batch. Calls <paramref name="onError"/> for every failed sequence number.
    /// </summary>
    internal void SendBatch(MessageWriter writer, uint firstSequence, uint lastSequence, int lastMessageOffset, Action<uint, NetlinkException> onError)
    {
        writer.AddFlags(lastMessageOffset, MessageFlags.Ack);
        SendAndAwaitAcks(writer.WrittenSpan, firstSequence, lastSequence,
            (sequence, errno, text) => onError(sequence, new NetlinkException(errno, "batched request", text)));
    }

    /// <summary>
    /// Sends an nfnetlink transaction (batch begin, messages, batch end, numbered
    /// <paramref name="firstSequence"/>..<paramref name="lastSequence"/>, the last one asking for an
    /// ACK) and waits for that ACK. The first error for any of its messages (including a commit
    /// failure, which the kernel reports against the batch begin) is thrown; the kernel has then
    /// aborted the whole transaction. After an error further replies of this batch may still be
    /// queued, so the caller should not reuse the socket.
    /// </summary>
    internal void SendTransaction(ReadOnlySpan<byte> messages, uint firstSequence, uint lastSequence, string operation) =>
        SendAndAwaitAcks(messages, firstSequence, lastSequence, (sequence, errno, text) =>
            throw new NetlinkException(errno, $"{operation} (message {unchecked(sequence - firstSequence)} of the batch)", text));

    /// <summary>
    /// Sends <paramref name="messages"/> in one sendmsg and reads replies until the ACK of
    /// <paramref name="lastSequence"/>, reporting each error of the batch's sequence range.
    /// </summary>
    private void SendAndAwaitAcks(ReadOnlySpan<byte> messages, uint firstSequence, uint lastSequence, Action<uint, int, string?> onError)
    {
        lock (_lock)
        {
            _transport.Send(messages);
            while (true)
            {
                var length = _transport.Receive(_receiveBuffer);
                foreach (var message in new MessageReader(_receiveBuffer.AsSpan(0, length)))
                {
                    if (message.Type != MessageType.Error || message.Header.PortId != PortId
                        || unchecked(message.Sequence - firstSequence) > unchecked(lastSequence - firstSequence))
                    {
                        continue;
                    }

                    var (errno, text) = ReadError(message);
                    if (errno != 0)
                    {
                        onError(message.Sequence, errno, text);
                    }

                    if (message.Sequence == lastSequence)
                    {
                        return;
                    }
                }
            }
        }
    }

    private bool IsOurs(in NetlinkMessage message, uint seq) =>
        message.Sequence == seq && (message.Header.PortId == PortId || message.Header.PortId == 0);

    private bool ReadDump<T>(uint seq, string operation, MessageParser<T> parse, List<T> results)
    {
        var interrupted = false;
        while (true)
        {
            var length = _transport.Receive(_receiveBuffer);
            foreach (var message in new MessageReader(_receiveBuffer.AsSpan(0, length)))
            {
                if (!IsOurs(message, seq))
                {
                    continue;
                }

                if ((message.Flags & MessageFlags.DumpInterrupted) != 0)
                {
                    interrupted = true;
                }

                switch (message.Type)
                {
                    case MessageType.Done:
                        // NLMSG_DONE carries an int error (negative errno) since 4.x.
                        if (message.Payload.Length >= 4 && BinaryPrimitives.ReadInt32LittleEndian(message.Payload) is var code and < 0)
                        {
                            throw new NetlinkException(-code, operation);
                        }

                        return interrupted;
                    case MessageType.Error:
                        ThrowIfError(message, operation);
                        return interrupted;
                    case MessageType.Noop:
                        continue;
                    case MessageType.Overrun:
                        throw new NetlinkException((int)Errno.ENOBUFS, $"{operation} (NLMSG_OVERRUN)");
                    default:
                        if (parse(message) is { } item)
                        {
                            results.Add(item);
                        }

                        break;
                }
            }
        }
    }

    private void WaitForAck(uint seq, string operation)
    {
        while (true)
        {
            var length = _transport.Receive(_receiveBuffer);
            foreach (var message in new MessageReader(_receiveBuffer.AsSpan(0, length)))
            {
                if (message.Type == MessageType.Error && IsOurs(message, seq))
                {
                    ThrowIfError(message, operation);
                    return;
                }
            }
        }
    }

    private static void ThrowIfError(in NetlinkMessage message, string operation)
    {
        var (errno, text) = ReadError(message);
        if (errno != 0)
        {
            throw new NetlinkException(errno, operation, text);
        }
    }

    /// <summary>
    /// Parses struct nlmsgerr: int error (negative errno, 0 = ACK), the original header, the
    /// original payload unless NLM_F_CAPPED, then extended-ACK TLVs when NLM_F_ACK_TLVS.
    /// </summary>
    internal static (int Errno, string? Text) ReadError(in NetlinkMessage message)
    {
        var payload = message.Payload;
        if (payload.Length < 4 + NlMsgHdr.Size)
        {
            throw new NetlinkProtocolException($"NLMSG_ERROR of {payload.Length} bytes is shorter than struct nlmsgerr");
        }

        var error = BinaryPrimitives.ReadInt32LittleEndian(payload);
        string? text = null;
        if ((message.Flags & MessageFlags.AckTlvs) != 0)
        {
            var originalLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
            var tlvStart = 4 + ((message.Flags & MessageFlags.Capped) != 0 ? NlMsgHdr.Size : MessageWriter.Align(originalLength));
            if (tlvStart <= payload.Length)
            {
                foreach (var attribute in new AttributeReader(payload[tlvStart..]))
                {
                    if (attribute.Type == ExtAckAttribute.Message)
                    {
                        text = attribute.String;
                    }
                }
            }
        }

        return (-error, text);
    }

    public void Dispose() => _transport.Dispose();
}
