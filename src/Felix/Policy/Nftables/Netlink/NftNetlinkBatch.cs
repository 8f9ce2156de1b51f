using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using Tabby.Felix.Netlink.Wire;
using static Tabby.Felix.Policy.Nftables.Netlink.NfTablesWire;

namespace Tabby.Felix.Policy.Nftables.Netlink;

/// <summary>
/// One nftables transaction as netlink messages (batch begin, the operations, batch end) in a
/// pooled buffer, ready for one sendmsg on a NETLINK_NETFILTER socket. Sending it costs the kernel
/// only the changes: unlike <c>nft</c>, nothing of the existing table is fetched first. Rules are
/// compiled from the text the renderer writes (<see cref="NftRuleCompiler"/>); anything this
/// encoder does not know (concatenated interval sets, words the renderer never writes) throws
/// <see cref="NotSupportedException"/> and the caller sends the nft script instead.
/// </summary>
public sealed class NftNetlinkBatch : IDisposable
{
    private readonly MessageWriter _writer;
    private readonly string _table;
    private uint _nextSetId = 1;
    private bool _ended;

    /// <param name="table">The owned table (inet family).</param>
    /// <param name="expectedBytes">A size hint: a whole table is tens of megabytes, which are
    /// allocated once and left to the GC rather than grown step by step and kept in the shared pool.</param>
    public NftNetlinkBatch(string table, int expectedBytes = 16 * 1024)
    {
        _writer = new MessageWriter(expectedBytes, pooled: expectedBytes <= 1 << 20);
        _table = table;
        Begin(BatchBegin, 0);
        WriteNfGenMsg(0, SubsystemNftables);
        _writer.EndMessage();
    }

    /// <summary>
    /// The largest batch sent in one sendmsg (the socket's send buffer is sized for it); a bigger
    /// transaction goes through nft, which splits nothing either but sizes its own buffer.
    /// </summary>
    public const int MaxLength = 96 << 20;

    /// <summary>Messages in the batch, begin and end included.</summary>
    public int MessageCount => _writer.MessageCount;

    /// <summary>Bytes of the batch.</summary>
    public int Length => _writer.Length;

    /// <summary>True when the batch holds no operation (only begin, or begin and end).</summary>
    public bool IsEmpty => _writer.MessageCount <= (_ended ? 2 : 1);

    /// <summary>Closes the batch; the last operation asks for the ACK that ends the transaction.</summary>
    internal void End()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        Begin(BatchEnd, 0);
        WriteNfGenMsg(0, SubsystemNftables);
        _writer.EndMessage();
    }

    /// <summary>
    /// Numbers the messages <paramref name="firstSequence"/>, +1, ... and asks for an ACK on the
    /// last operation (the kernel does not acknowledge batch end). Returns the bytes to send and
    /// the sequence number whose ACK closes the transaction.
    /// </summary>
    internal (ReadOnlyMemory<byte> Messages, uint LastOperation) Seal(uint firstSequence)
    {
        End();
        var buffer = _writer.WrittenMemory;
        var span = System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer).Span;
        var offset = 0;
        var sequence = firstSequence;
        var lastOperationOffset = 0;
        var lastOperation = firstSequence;
        while (offset < span.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 4)..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 8)..], sequence);
            if (type != BatchBegin && type != BatchEnd)
            {
                lastOperationOffset = offset;
                lastOperation = sequence;
            }

            sequence++;
            offset += MessageWriter.Align(length);
        }

        if (lastOperationOffset == 0)
        {
            throw new InvalidOperationException("an empty nftables batch has nothing to acknowledge");
        }

        _writer.AddFlags(lastOperationOffset, MessageFlags.Ack);
        return (buffer, lastOperation);
    }

    internal INftTransaction AsTransaction() => new Transaction(this);

    public void Dispose() => _writer.Dispose();

    private void Begin(ushort type, ushort flags) => _writer.BeginMessage(type, (ushort)(MessageFlags.Request | flags), 0);

    private void BeginOperation(byte message, ushort flags)
    {
        if (_ended)
        {
            throw new InvalidOperationException("the batch is already closed");
        }

        Begin(MessageType(message), flags);
        WriteNfGenMsg(FamilyInet, 0);
    }

    /// <summary>struct nfgenmsg: family, version (NFNETLINK_V0), resource id (big-endian; the subsystem for batch messages).</summary>
    private void WriteNfGenMsg(byte family, ushort resourceId)
    {
        var header = _writer.Reserve(4);
        header[0] = family;
        header[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], resourceId);
    }

    internal MessageWriter Writer => _writer;

    private void AddChain(string name, string? header)
    {
        var baseChain = header is null ? default : ParseBaseChain(header);
        BeginOperation(NewChain, MessageFlags.Create);
        _writer.AttributeString(ChainTable, _table);
        _writer.AttributeString(ChainName, name);
        if (header is not null)
        {
            var (type, hook, priority, policy) = baseChain;
            var nested = _writer.BeginNested(ChainHook);
            BinaryPrimitives.WriteUInt32BigEndian(_writer.Attribute(HookNumber, 4), hook);
            BinaryPrimitives.WriteInt32BigEndian(_writer.Attribute(HookPriority, 4), priority);
            _writer.EndNested(nested);
            BinaryPrimitives.WriteUInt32BigEndian(_writer.Attribute(ChainPolicy, 4), policy);
            _writer.AttributeString(ChainType, type);
        }

        _writer.EndMessage();
    }

    /// <summary>"type filter hook forward priority filter; policy accept;" as the renderer writes base chain headers.</summary>
    private static (string Type, uint Hook, int Priority, uint Policy) ParseBaseChain(string header)
    {
        var words = header.Replace(";", " ;", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string? type = null;
        uint? hook = null;
        int? priority = null;
        uint policy = Accept;
        for (var i = 0; i + 1 < words.Length; i++)
        {
            switch (words[i])
            {
                case "type":
                    type = words[++i];
                    break;
                case "hook":
                    hook = words[++i] switch
                    {
                        "prerouting" => 0,
                        "input" => 1,
                        "forward" => 2,
                        "output" => 3,
                        "postrouting" => 4,
                        var other => throw new NotSupportedException($"hook {other}"),
                    };
                    break;
                case "priority":
                    var value = words[++i];
                    priority = value == "filter" ? 0
                        : int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number
                        : throw new NotSupportedException($"priority {value}");
                    break;
                case "policy":
                    policy = words[++i] switch
                    {
                        "accept" => (uint)Accept,
                        "drop" => (uint)Drop,
                        var other => throw new NotSupportedException($"policy {other}"),
                    };
                    break;
            }
        }

        return type is null || hook is null || priority is null
            ? throw new NotSupportedException($"base chain header '{header}'")
            : (type, hook.Value, priority.Value, policy);
    }

    private void Table(byte message)
    {
        BeginOperation(message, message == NewTable ? MessageFlags.Create : (ushort)0);
        _writer.AttributeString(TableName, _table);
        _writer.EndMessage();
    }

    private void ChainOperation(byte message, ushort tableAttribute, ushort chainAttribute, string name)
    {
        BeginOperation(message, 0);
        _writer.AttributeString(tableAttribute, _table);
        _writer.AttributeString(chainAttribute, name);
        _writer.EndMessage();
    }

    private void AddRule(string chain, string rule)
    {
        BeginOperation(NewRule, MessageFlags.Create | MessageFlags.Append);
        _writer.AttributeString(RuleTable, _table);
        _writer.AttributeString(RuleChain, chain);
        try
        {
            NftRuleCompiler.Compile(_writer, rule);
        }
        catch
        {
            _writer.AbandonMessage();
            throw;
        }

        _writer.EndMessage();
    }

    private void AddSet(NftSet set)
    {
        var keyType = set.IsMap ? set.Type[..set.Type.IndexOf(" : ", StringComparison.Ordinal)] : set.Type;
        if (set.IsMap && set.Type[(keyType.Length + 3)..] != "verdict")
        {
            throw new NotSupportedException($"map {set.Name}: only verdict maps are encoded");
        }

        var fields = NftElementCodec.Fields(keyType);
        if (set.Interval && fields.Count > 1)
        {
            throw new NotSupportedException($"set {set.Name}: concatenated interval sets are only created by nft");
        }

        BeginOperation(NewSet, MessageFlags.Create);
        _writer.AttributeString(SetTable, _table);
        _writer.AttributeString(SetName, set.Name);
        var flags = (fields.Count > 1 ? SetFlagConcat : 0) | (set.Interval ? SetFlagInterval : 0) | (set.IsMap ? SetFlagMap : 0);
        BinaryPrimitives.WriteUInt32BigEndian(_writer.Attribute(SetFlags, 4), flags);
        uint keyTypeNumber = 0;
        var keyLength = 0;
        foreach (var field in fields)
        {
            keyTypeNumber = (keyTypeNumber << 6) | field.Type;
            keyLength += fields.Count == 1 ? field.Length : MessageWriter.Align(field.Length); // concatenated fields start on 32-bit registers
        }

        BinaryPrimitives.WriteUInt32BigEndian(_writer.Attribute(SetKeyType, 4), keyTypeNumber);
        BinaryPrimitives.WriteUInt32BigEndian(_writer.Attribute(SetKeyLen, 4), (uint)keyLength);
        if (set.IsMap)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_writer.Attribute(SetDataType, 4), DataTypeVerdict);
            BinaryPrimitives.WriteUInt32BigEndian(_writer.Attribute(SetDataLen, 4), 0);
        }

        BinaryPrimitives.WriteUInt32BigEndian(_writer.Attribute(SetId, 4), _nextSetId++);
        if (fields.Count == 1)
        {
            var userdata = _writer.Attribute(SetUserdata, 6);
            userdata[0] = UdataSetKeyByteOrder;
            userdata[1] = 4;
            BinaryPrimitives.WriteUInt32LittleEndian(userdata[2..], fields[0].Type == TypeIfname ? ByteOrderHost : ByteOrderBig);
        }
        else
        {
            var desc = _writer.BeginNested(SetDesc);
            var concat = _writer.BeginNested(SetDescConcat);
            foreach (var field in fields)
            {
                var element = _writer.BeginNested(ListElem);
                BinaryPrimitives.WriteUInt32BigEndian(_writer.Attribute(SetFieldLen, 4), (uint)field.Length);
                _writer.EndNested(element);
            }

            _writer.EndNested(concat);
            _writer.EndNested(desc);
        }

        _writer.EndMessage();
    }

    /// <summary>
    /// Elements of an interval set the way nft sends them: sorted, each interval a start element
    /// and an end element (first address after it) flagged INTERVAL_END, a leading end element at 0
    /// unless an interval starts there, and an interval that runs to the top of the key space left
    /// open (no end element; marked open in the element userdata, which nft reads when listing).
    /// </summary>
    private void IntervalElements(NftSet set, IReadOnlyCollection<string> elements)
    {
        var fields = NftElementCodec.Fields(set.Type);
        var length = fields[0].Length;
        var intervals = elements.Select(e => NftElementCodec.Interval(fields[0], e)).OrderBy(i => i.Start, ByteOrder.Instance).ToList();
        var items = new List<(byte[] Key, bool End, bool Open)>();
        if (intervals.Count > 0 && intervals[0].Start.Any(b => b != 0))
        {
            items.Add((new byte[length], true, false));
        }

        foreach (var (start, end) in intervals)
        {
            items.Add((start, false, end is null));
            if (end is not null)
            {
                items.Add((end, true, false));
            }
        }

        for (var offset = 0; offset < items.Count; offset += 500)
        {
            BeginOperation(NewSetElem, MessageFlags.Create);
            _writer.AttributeString(ElemListTable, _table);
            _writer.AttributeString(ElemListSet, set.Name);
            var list = _writer.BeginNested(ElemListElements);
            foreach (var (key, end, open) in items.Skip(offset).Take(500))
            {
                var element = _writer.BeginNested(ListElem);
                var keyAttribute = _writer.BeginNested(ElemKey);
                _writer.Attribute(DataValue, key);
                _writer.EndNested(keyAttribute);
                if (end)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(_writer.Attribute(ElemFlags, 4), ElemIntervalEnd);
                }

                if (open)
                {
                    // libnftnl element userdata NFTNL_UDATA_SET_ELEM_FLAGS = NFTNL_SET_ELEM_F_INTERVAL_OPEN.
                    var userdata = _writer.Attribute(ElemUserdata, 6);
                    userdata[0] = 1;
                    userdata[1] = 4;
                    BinaryPrimitives.WriteUInt32LittleEndian(userdata[2..], 1);
                }

                _writer.EndNested(element);
            }

            _writer.EndNested(list);
            _writer.EndMessage();
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    /// <summary>Elements go in messages of a bounded size (a netlink attribute length is 16 bits).</summary>
    private void Elements(byte message, NftSet set, IReadOnlyCollection<string> elements, bool keysOnly)
    {
        if (set.Interval)
        {
            // Interval sets are named by their content: they are created whole and never changed.
            if (message != NewSetElem)
            {
                throw new NotSupportedException($"set {set.Name}: interval elements are only deleted by nft");
            }

            IntervalElements(set, elements);
            return;
        }

        var fields = NftElementCodec.Fields(set.IsMap ? set.Type[..set.Type.IndexOf(" : ", StringComparison.Ordinal)] : set.Type);
        using var enumerator = elements.GetEnumerator();
        var more = enumerator.MoveNext();
        while (more)
        {
            BeginOperation(message, message == NewSetElem ? MessageFlags.Create : (ushort)0);
            _writer.AttributeString(ElemListTable, _table);
            _writer.AttributeString(ElemListSet, set.Name);
            var list = _writer.BeginNested(ElemListElements);
            for (var count = 0; more && count < 500; count++, more = enumerator.MoveNext())
            {
                var element = _writer.BeginNested(ListElem);
                var text = enumerator.Current;
                string? verdictChain = null;
                if (set.IsMap)
                {
                    var colon = text.IndexOf(" : ", StringComparison.Ordinal);
                    if (colon >= 0)
                    {
                        verdictChain = ParseJump(text[(colon + 3)..], set.Name);
                        text = text[..colon];
                    }
                    else if (!keysOnly)
                    {
                        throw new NotSupportedException($"map {set.Name}: element '{text}' has no value");
                    }
                }

                var key = _writer.BeginNested(ElemKey);
                NftElementCodec.WriteValue(_writer, DataValue, fields, text);
                _writer.EndNested(key);
                if (verdictChain is not null && !keysOnly)
                {
                    var data = _writer.BeginNested(ElemData);
                    var verdict = _writer.BeginNested(DataVerdict);
                    BinaryPrimitives.WriteInt32BigEndian(_writer.Attribute(VerdictCode, 4), Jump);
                    _writer.AttributeString(VerdictChain, verdictChain);
                    _writer.EndNested(verdict);
                    _writer.EndNested(data);
                }

                _writer.EndNested(element);
            }

            _writer.EndNested(list);
            _writer.EndMessage();
        }
    }

    private static string ParseJump(string value, string set) =>
        value.StartsWith("jump ", StringComparison.Ordinal) && value.IndexOf(' ', 5) < 0
            ? value[5..]
            : throw new NotSupportedException($"map {set}: value '{value}' is not a jump");

    /// <summary>Every operation either completes its message or leaves none behind.</summary>
    private sealed class Transaction(NftNetlinkBatch batch) : INftTransaction
    {
        private void Do(Action operation)
        {
            try
            {
                operation();
            }
            catch
            {
                batch._writer.AbandonMessage();
                throw;
            }
        }

        // add + delete + add: the table exists at the delete whether or not it did before.
        public void ReplaceTable() => Do(() =>
        {
            batch.Table(NewTable);
            batch.Table(DelTable);
            batch.Table(NewTable);
        });

        public void AddSet(NftSet set) => Do(() => batch.AddSet(set));

        public void AddElements(NftSet set, IReadOnlyCollection<string> elements) => Do(() => batch.Elements(NewSetElem, set, elements, keysOnly: false));

        public void DeleteElements(NftSet set, IReadOnlyCollection<string> keys) => Do(() => batch.Elements(DelSetElem, set, keys, keysOnly: true));

        public void AddChain(string name, string? header) => Do(() => batch.AddChain(name, header));

        // DELRULE with only the chain deletes every rule of the chain.
        public void FlushChain(string name) => Do(() => batch.ChainOperation(DelRule, RuleTable, RuleChain, name));

        public void AddRule(string chain, string rule) => Do(() => batch.AddRule(chain, rule));

        // Without NLM_F_NONREC the kernel deletes the chain's rules along with it.
        public void DeleteChain(string name) => Do(() => batch.ChainOperation(DelChain, ChainTable, ChainName, name));

        public void DeleteSet(NftSet set) => Do(() => batch.ChainOperation(DelSet, SetTable, SetName, set.Name));
    }
}

/// <summary>Encodes set elements written the nft way ("198.18.0.1", "\"tb1\"", "198.18.0.1 . tcp . 8080") as netlink data.</summary>
internal static class NftElementCodec
{
    internal readonly record struct Field(uint Type, int Length);

    public static IReadOnlyList<Field> Fields(string type)
    {
        var fields = new List<Field>();
        foreach (var part in type.Split(" . "))
        {
            fields.Add(part.Trim() switch
            {
                "ipv4_addr" => new Field(TypeIpv4, 4),
                "ipv6_addr" => new Field(TypeIpv6, 16),
                "inet_proto" => new Field(TypeInetProto, 1),
                "inet_service" => new Field(TypeInetService, 2),
                "ifname" => new Field(TypeIfname, IfNameSize),
                _ => throw new NotSupportedException($"set type '{type}' is not encoded over netlink"),
            });
        }

        return fields;
    }

    /// <summary>An interval element ("10.0.0.0/8", "2001:db8::/32", "6000-6010", "53") as its first key and the key just after it (null at the top of the key space).</summary>
    public static (byte[] Start, byte[]? End) Interval(Field field, string text)
    {
        byte[] start, last;
        if (field.Type is TypeIpv4 or TypeIpv6)
        {
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var address = IPAddress.Parse(slash < 0 ? text : text[..slash]);
            start = address.GetAddressBytes();
            if (start.Length != field.Length)
            {
                throw new NotSupportedException($"'{text}' is not an address of {field.Length} bytes");
            }

            var prefix = slash < 0 ? field.Length * 8 : int.Parse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
            last = (byte[])start.Clone();
            for (var bit = prefix; bit < field.Length * 8; bit++)
            {
                start[bit / 8] &= (byte)~(0x80 >> (bit % 8));
                last[bit / 8] |= (byte)(0x80 >> (bit % 8));
            }
        }
        else if (field.Type == TypeInetService)
        {
            var dash = text.IndexOf('-', StringComparison.Ordinal);
            start = new byte[2];
            last = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(start, ushort.Parse(dash < 0 ? text : text[..dash], NumberStyles.None, CultureInfo.InvariantCulture));
            BinaryPrimitives.WriteUInt16BigEndian(last, ushort.Parse(dash < 0 ? text : text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture));
        }
        else
        {
            throw new NotSupportedException($"interval elements of type {field.Type}");
        }

        // end = last + 1, big-endian; null when last is all ones.
        var end = (byte[])last.Clone();
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (++end[i] != 0)
            {
                return (start, end);
            }
        }

        return (start, null);
    }

    /// <summary>Writes an NFTA_DATA_VALUE with every field padded to 4 bytes (nftables' register layout for concatenations).</summary>
    public static void WriteValue(MessageWriter writer, ushort attribute, IReadOnlyList<Field> fields, string text)
    {
        var parts = fields.Count == 1 ? [text] : text.Split(" . ");
        if (parts.Length != fields.Count)
        {
            throw new NotSupportedException($"element '{text}' does not have {fields.Count} fields");
        }

        var total = 0;
        foreach (var field in fields)
        {
            total += fields.Count == 1 ? field.Length : MessageWriter.Align(field.Length);
        }

        var value = writer.Attribute(attribute, total);
        var at = 0;
        for (var i = 0; i < fields.Count; i++)
        {
            var part = parts[i].Trim();
            var slot = value.Slice(at, fields[i].Length);
            switch (fields[i].Type)
            {
                case TypeIpv4 or TypeIpv6:
                    if (!IPAddress.TryParse(part, out var address) || !address.TryWriteBytes(slot, out var written) || written != slot.Length)
                    {
                        throw new NotSupportedException($"'{part}' is not an address of {slot.Length} bytes");
                    }

                    break;
                case TypeInetProto:
                    slot[0] = NftRuleCompiler.ProtocolNumber(part);
                    break;
                case TypeInetService:
                    BinaryPrimitives.WriteUInt16BigEndian(slot, ushort.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture));
                    break;
                case TypeIfname:
                    var name = part.Length >= 2 && part[0] == '"' && part[^1] == '"' ? part[1..^1] : part;
                    if (Encoding.UTF8.GetByteCount(name) >= IfNameSize)
                    {
                        throw new NotSupportedException($"interface name '{name}' is too long");
                    }

                    Encoding.UTF8.GetBytes(name, slot);
                    break;
            }

            at += fields.Count == 1 ? fields[i].Length : MessageWriter.Align(fields[i].Length);
        }
    }
}
