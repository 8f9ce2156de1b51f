using System.Buffers;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Errors;

namespace Tabby.Bgp.Tests.Wire;

public class BgpFrameReaderTests
{
    private static readonly byte[] Keepalive = Hex.Bytes("ffffffffffffffffffffffffffffffff 0013 04");

    [Fact]
    public void ReadsOneMessageAndAdvances()
    {
        var buffer = new ReadOnlySequence<byte>([.. Keepalive, .. Keepalive]);
        Assert.True(BgpFrameReader.TryRead(ref buffer, BgpSessionOptions.Default, out var frame));
        Assert.Equal(MessageType.Keepalive, frame.Type);
        Assert.Equal(19, frame.Length);
        Assert.Equal(19, buffer.Length);
    }

    [Fact]
    public void PartialInputReturnsFalseAndLeavesTheBufferUnchanged()
    {
        var update = CaptureUpdate();
        for (int n = 0; n < update.Length; n++)
        {
            var buffer = new ReadOnlySequence<byte>(update, 0, n);
            var before = buffer;
            Assert.False(BgpFrameReader.TryRead(ref buffer, BgpSessionOptions.Default, out _));
            Assert.Equal(before.Start, buffer.Start);
            Assert.Equal(before.End, buffer.End);
        }
    }

    [Fact]
    public void BadHeaderThrowsBeforeTheBodyArrivesAndLeavesTheBufferUnchanged()
    {
        // Length 5000 without Extended Message: rejected from the 19 header bytes alone.
        var header = Hex.Bytes("ffffffffffffffffffffffffffffffff 1388 02");
        var buffer = new ReadOnlySequence<byte>(header);
        var before = buffer;
        var e = Assert.Throws<BgpProtocolException>(() => BgpFrameReader.TryRead(ref buffer, BgpSessionOptions.Default, out _));
        Assert.Equal((1, 2), (e.Error.Code, e.Error.Subcode));
        Assert.Equal("1388", Hex.Of(e.Error.Data.Span));
        Assert.Equal(before.Start, buffer.Start);
    }

    [Fact]
    public void ExtendedMessageAllowsUpdatesUpTo65535ButNotOpen()
    {
        var extended = new BgpSessionOptions { ExtendedMessage = true };
        var update = new ReadOnlySequence<byte>(Hex.Bytes("ffffffffffffffffffffffffffffffff ffff 02"));
        Assert.False(BgpFrameReader.TryRead(ref update, extended, out _)); // valid header, waits for the body
        var open = new ReadOnlySequence<byte>(Hex.Bytes("ffffffffffffffffffffffffffffffff 1001 01"));
        Assert.Throws<BgpProtocolException>(() => BgpFrameReader.TryRead(ref open, extended, out _));
    }

    public static IEnumerable<object[]> CaptureNames() =>
        new[] { "bird-ipv4", "bird-ipv6", "frr-ipv4", "frr-ipv6", "gobgp-ipv4", "gobgp-ipv6", "exabgp-ipv4", "exabgp-ipv6" }.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(CaptureNames))]
    public void StreamSplitAtEveryOffsetYieldsTheSameMessages(string capture)
    {
        var messages = Hex.Messages(capture);
        var stream = messages.SelectMany(m => m).ToArray();
        for (int split = 1; split < stream.Length; split++)
        {
            var sequence = Segments.Create(stream.AsMemory(0, split), stream.AsMemory(split));
            AssertFrames(sequence, messages);
        }
    }

    [Theory]
    [MemberData(nameof(CaptureNames))]
    public void StreamOfOneBytePerSegmentYieldsTheSameMessages(string capture)
    {
        var messages = Hex.Messages(capture);
        var stream = messages.SelectMany(m => m).ToArray();
        var sequence = Segments.Create(Enumerable.Range(0, stream.Length).Select(i => (ReadOnlyMemory<byte>)stream.AsMemory(i, 1)).ToArray());
        AssertFrames(sequence, messages);
    }

    [Fact]
    public void DecodingFromSegmentedFramesEqualsDecodingFromOneArray()
    {
        var options = new BgpSessionOptions { FourOctetAs = true, AddPath = AddPathFamilies.Ipv6Unicast };
        var messages = Hex.Messages("bird-ipv6");
        var stream = messages.SelectMany(m => m).ToArray();
        var sequence = Segments.Create(Enumerable.Range(0, stream.Length).Select(i => (ReadOnlyMemory<byte>)stream.AsMemory(i, 1)).ToArray());
        int index = 0;
        while (BgpFrameReader.TryRead(ref sequence, options, out var frame))
        {
            var fromSegments = BgpMessageWriter.ToBytes(BgpMessageDecoder.Decode(frame, options), options);
            var fromArray = BgpMessageWriter.ToBytes(BgpMessageDecoder.DecodeMessage(messages[index++], options), options);
            Assert.Equal(fromArray, fromSegments);
        }

        Assert.Equal(messages.Count, index);
    }

    [Fact]
    public void EveryMessageTypeDecodesIdenticallyWhenSplitAtEveryOffset()
    {
        var options = new BgpSessionOptions { FourOctetAs = true, AddPath = AddPathFamilies.Ipv6Unicast };
        byte[][] messages =
        [
            Hex.Messages("bird-ipv6")[0],
            Hex.Messages("bird-ipv6")[2],
            Hex.Bytes("ffffffffffffffffffffffffffffffff001304"),
            Hex.Bytes("ffffffffffffffffffffffffffffffff00170500020101"),
            Tabby.Bgp.Wire.BgpMessageWriter.ToBytes(Tabby.Bgp.Wire.Messages.NotificationMessage.Cease(CeaseSubcode.AdministrativeShutdown, "bye")),
        ];
        var stream = messages.SelectMany(m => m).ToArray();
        var expected = messages.Select(m => Hex.Of(BgpMessageWriter.ToBytes(BgpMessageDecoder.DecodeMessage(m, options), options))).ToList();
        for (int split = 1; split < stream.Length; split++)
        {
            var sequence = Segments.Create(stream.AsMemory(0, split), stream.AsMemory(split));
            var actual = new List<string>();
            while (BgpFrameReader.TryRead(ref sequence, options, out var frame))
                actual.Add(Hex.Of(BgpMessageWriter.ToBytes(BgpMessageDecoder.Decode(frame, options), options)));
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void HeaderErrorIsFoundWhateverTheSegmentation()
    {
        var bad = Hex.Bytes("ffffffffffffffffffffffffff00ffff 0013 04");
        for (int split = 1; split < bad.Length; split++)
        {
            var sequence = Segments.Create(bad.AsMemory(0, split), bad.AsMemory(split));
            var e = Assert.Throws<BgpProtocolException>(() => BgpFrameReader.TryRead(ref sequence, BgpSessionOptions.Default, out _));
            Assert.Equal((1, 1), (e.Error.Code, e.Error.Subcode));
        }
    }

    private static void AssertFrames(ReadOnlySequence<byte> sequence, List<byte[]> expected)
    {
        int index = 0;
        while (BgpFrameReader.TryRead(ref sequence, BgpSessionOptions.Default, out var frame))
        {
            Assert.Equal(expected[index].Length, frame.Length);
            Assert.Equal(expected[index].AsSpan(19).ToArray(), frame.Body.ToArray());
            index++;
        }

        Assert.Equal(expected.Count, index);
        Assert.Equal(0, sequence.Length);
    }

    private static byte[] CaptureUpdate() => Hex.Messages("bird-ipv4").First(m => m[18] == 2);
}

/// <summary>Builds a multi-segment <see cref="ReadOnlySequence{T}"/> from chunks.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Create(params ReadOnlyMemory<byte>[] chunks)
    {
        var first = new Segments(chunks[0], 0);
        var last = first;
        foreach (var chunk in chunks.Skip(1))
        {
            var next = new Segments(chunk, last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
