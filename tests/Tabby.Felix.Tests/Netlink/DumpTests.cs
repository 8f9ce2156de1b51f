using System.Net;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.Netlink.Wire;
using Xunit;

namespace Tabby.Felix.Tests.Netlink;

public sealed class DumpTests
{
    private static Action<MessageWriter> RouteMessage(NlMsgHdr request, string cidr, ushort extraFlags = 0) => w =>
    {
        w.BeginMessage(MessageType.NewRoute, (ushort)(MessageFlags.Multi | extraFlags), request.Sequence, request.PortId);
        RouteCodec.EncodeNew(w, new Route(IPNetwork.Parse(cidr)) { Type = RouteType.Blackhole, Protocol = RouteProtocol.Felix });
        w.EndMessage();
    };

    private static Action<MessageWriter> Done(NlMsgHdr request, ushort flags = 0) => w =>
    {
        w.BeginMessage(MessageType.Done, (ushort)(MessageFlags.Multi | flags), request.Sequence, request.PortId);
        w.Reserve(4);
        w.EndMessage();
    };

    [Fact]
    public void An_interrupted_dump_is_read_again_and_only_the_consistent_copy_is_returned()
    {
        var requests = 0;
        var transport = new ScriptedTransport(request =>
        {
            requests++;
            return requests == 1
                ? [ScriptedTransport.Datagram(RouteMessage(request, "10.0.0.0/24")),
                   ScriptedTransport.Datagram(RouteMessage(request, "10.0.1.0/24", MessageFlags.DumpInterrupted), Done(request, MessageFlags.DumpInterrupted))]
                : [ScriptedTransport.Datagram(RouteMessage(request, "10.0.0.0/24"), RouteMessage(request, "10.0.2.0/24"), Done(request))];
        });
        using var socket = new NetlinkSocket(transport);

        var routes = socket.Dump(MessageType.GetRoute, "test dump", w => RouteCodec.EncodeDumpRequest(w, Family.Inet, null, 0), RouteCodec.Parse);

        Assert.Equal(["10.0.0.0/24", "10.0.2.0/24"], routes.Select(r => r.Destination.ToString()));
        Assert.Equal(2, requests);
        Assert.Equal(1, socket.InterruptedDumps);
        // Each attempt used a fresh sequence number.
        Assert.NotEqual(BitConverter.ToUInt32(transport.Sent[0], 8), BitConverter.ToUInt32(transport.Sent[1], 8));
    }

    [Fact]
    public void A_dump_that_never_settles_fails_with_EINTR()
    {
        var transport = new ScriptedTransport(request => [ScriptedTransport.Datagram(Done(request, MessageFlags.DumpInterrupted))]);
        using var socket = new NetlinkSocket(transport);
        var error = Assert.Throws<NetlinkException>(() =>
            socket.Dump(MessageType.GetRoute, "test dump", w => RouteCodec.EncodeDumpRequest(w, Family.Inet, null, 0), RouteCodec.Parse));
        Assert.Equal(Errno.EINTR, error.Errno);
        Assert.Equal(NetlinkSocket.MaxDumpAttempts, transport.Sent.Count);
    }

    [Fact]
    public void Replies_with_another_sequence_or_port_are_ignored()
    {
        var transport = new ScriptedTransport(request =>
        {
            var stale = request with { Sequence = request.Sequence - 1 };
            var foreign = request with { PortId = 999 };
            return [ScriptedTransport.Datagram(RouteMessage(stale, "10.9.0.0/24"), RouteMessage(foreign, "10.9.1.0/24"),
                RouteMessage(request, "10.0.0.0/24"), Done(request))];
        });
        using var socket = new NetlinkSocket(transport);
        var routes = socket.Dump(MessageType.GetRoute, "test dump", w => RouteCodec.EncodeDumpRequest(w, Family.Inet, null, 0), RouteCodec.Parse);
        Assert.Equal(["10.0.0.0/24"], routes.Select(r => r.Destination.ToString()));
    }

    [Fact]
    public void An_error_ack_carries_the_errno_name_and_the_extended_ack_text()
    {
        var transport = new ScriptedTransport(request =>
        [
            ScriptedTransport.Datagram(w =>
            {
                w.BeginMessage(MessageType.Error, MessageFlags.Capped | MessageFlags.AckTlvs, request.Sequence, request.PortId);
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(w.Reserve(4), -(int)Errno.ENETUNREACH);
                w.Write(request);
                w.AttributeString(ExtAckAttribute.Message, "Nexthop has invalid gateway");
                w.EndMessage();
            }),
        ]);
        using var socket = new NetlinkSocket(transport);
        var error = Assert.Throws<NetlinkException>(() => socket.Execute(MessageType.NewRoute, 0, "RTM_NEWROUTE 10.0.0.0/24", w => w.Write(new RtMsg())));
        Assert.Equal(Errno.ENETUNREACH, error.Errno);
        Assert.Equal("Nexthop has invalid gateway", error.ExtendedMessage);
        Assert.Equal("RTM_NEWROUTE 10.0.0.0/24 failed: ENETUNREACH (Nexthop has invalid gateway)", error.Message);
    }
}
