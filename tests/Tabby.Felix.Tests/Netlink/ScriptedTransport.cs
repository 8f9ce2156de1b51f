using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.Tests.Netlink;

/// <summary>A transport that answers each request with datagrams a test builds from the request.</summary>
internal sealed class ScriptedTransport(Func<NlMsgHdr, IEnumerable<byte[]>> reply) : INetlinkTransport
{
    private readonly Queue<byte[]> _pending = new();

    public uint PortId => 4242;

    public List<byte[]> Sent { get; } = [];

    public void Send(ReadOnlySpan<byte> datagram)
    {
        Sent.Add(datagram.ToArray());
        var header = System.Runtime.InteropServices.MemoryMarshal.Read<NlMsgHdr>(datagram);
        foreach (var d in reply(header))
        {
            _pending.Enqueue(d);
        }
    }

    public int Receive(Span<byte> buffer)
    {
        if (!_pending.TryDequeue(out var next))
        {
            throw new NetlinkException((int)Errno.EAGAIN, "scripted receive");
        }

        next.CopyTo(buffer);
        return next.Length;
    }

    public void Dispose()
    {
    }

    /// <summary>One datagram holding the given messages.</summary>
    public static byte[] Datagram(params Action<MessageWriter>[] messages)
    {
        using var w = new MessageWriter();
        foreach (var m in messages)
        {
            m(w);
        }

        return w.WrittenSpan.ToArray();
    }
}
