using System.Net;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Tests.Wire.Attributes;

public class AttributeTableTests
{
    private static readonly BgpSessionOptions As4 = new() { FourOctetAs = true };

    private static string Encode(Action<PathAttributesBuilder> fill, BgpSessionOptions? options = null)
    {
        var b = new PathAttributesBuilder();
        fill(b);
        var buffer = new byte[4096];
        buffer.AsSpan().Fill(0xFF); // catches bytes the encoder forgot to write
        var w = new SpanWriter(buffer);
        AttributeTable.EncodeAll(b.Build(), ref w, options ?? As4, includeNextHop: true);
        return Hex.Of(w.Written);
    }

    /// <summary>Exact encodings (flags, type, length, value) per RFC 4271 section 4.3 and each attribute's RFC.</summary>
    [Theory]
    [InlineData("origin-igp", "40010100")]
    [InlineData("origin-incomplete", "40010102")]
    [InlineData("as-path-4", "4002060201fa56ea01")]
    [InlineData("as-path-set", "4002100202 0000fde8 0000fde9 0101 0000fdea")]
    [InlineData("next-hop", "400304c0000201")]
    [InlineData("med", "80040400000032")]
    [InlineData("local-pref", "40050400000064")]
    [InlineData("atomic-aggregate", "400600")]
    [InlineData("aggregator-4", "c00708fa56ea01c0000201")]
    [InlineData("communities", "c00808fde80064ffffff01")]
    [InlineData("originator-id", "800904c0000202")]
    [InlineData("cluster-list", "800a08c0000203c0000204")]
    [InlineData("extended-communities", "c01008 0002fde800000001")]
    [InlineData("large-community", "c0200cfa56ea0100000001 00000002")]
    [InlineData("unknown-transitive", "e0630201ff")]
    public void EncodesEachAttributeExactly(string kind, string expected)
    {
        string actual = Encode(b =>
        {
            switch (kind)
            {
                case "origin-igp": b.Origin = Origin.Igp; break;
                case "origin-incomplete": b.Origin = Origin.Incomplete; break;
                case "as-path-4": b.AsPath = AsPath.Sequence(4200000001); break;
                case "as-path-set":
                    b.AsPath = new AsPath([new AsPathSegment(AsPathSegmentType.AsSequence, [65000, 65001]), new AsPathSegment(AsPathSegmentType.AsSet, [65002])]);
                    break;
                case "next-hop": b.NextHop = IPAddress.Parse("192.0.2.1"); break;
                case "med": b.MultiExitDisc = 50; break;
                case "local-pref": b.LocalPref = 100; break;
                case "atomic-aggregate": b.AtomicAggregate = true; break;
                case "aggregator-4": b.Aggregator = new Aggregator(4200000001, 0xC0000201); break;
                case "communities": b.Communities.AddRange([new Community(65000, 100), new Community(Community.NoExport)]); break;
                case "originator-id": b.OriginatorId = 0xC0000202; break;
                case "cluster-list": b.ClusterList.AddRange([0xC0000203u, 0xC0000204u]); break;
                case "extended-communities": b.ExtendedCommunities.Add(new ExtendedCommunity(0x0002FDE800000001)); break;
                case "large-community": b.LargeCommunities.Add(new LargeCommunity(4200000001, 1, 2)); break;
                case "unknown-transitive": b.Unknown.Add(new RawAttribute(AttributeFlags.Optional | AttributeFlags.Transitive | AttributeFlags.Partial, 99, new byte[] { 1, 0xff })); break;
            }
        });
        Assert.Equal(Hex.Of(Hex.Bytes(expected)), actual);
    }

    [Fact]
    public void ValuesLongerThan255BytesUseExtendedLength()
    {
        string hex = Encode(b => b.Communities.AddRange(Enumerable.Range(0, 100).Select(i => new Community(65000, (ushort)i))));
        Assert.StartsWith("d0080190", hex); // Optional|Transitive|Extended Length, type 8, length 400
    }

    [Fact]
    public void TwoOctetSessionEncodesAsTransWithAs4PathAndAs4Aggregator()
    {
        string hex = Encode(b =>
        {
            b.AsPath = AsPath.Sequence(65001, 4200000001);
            b.Aggregator = new Aggregator(4200000001, 0xC0000201);
        }, BgpSessionOptions.Default);
        // AS_PATH with AS_TRANS (5ba0), AGGREGATOR with AS_TRANS, AS4_PATH, AS4_AGGREGATOR (RFC 6793 section 4.2.2).
        Assert.Equal("4002060202fde95ba0" + "c007065ba0c0000201" + "c0110a02020000fde9fa56ea01" + "c01208fa56ea01c0000201", hex);
    }

    public static PathAttributes Everything() => Everything(IPAddress.Parse("192.0.2.1"));

    public static PathAttributes Everything(IPAddress nextHop)
    {
        var b = new PathAttributesBuilder
        {
            Origin = Origin.Egp,
            AsPath = new AsPath([
                new AsPathSegment(AsPathSegmentType.AsConfedSequence, [64512]),
                new AsPathSegment(AsPathSegmentType.AsSequence, [65001, 4200000001, 65003]),
                new AsPathSegment(AsPathSegmentType.AsSet, [65010, 4200000010]),
            ]),
            NextHop = nextHop,
            MultiExitDisc = 10,
            LocalPref = 200,
            AtomicAggregate = true,
            Aggregator = new Aggregator(4200000001, 0xC0000201),
            OriginatorId = 0xC0000209,
        };
        b.Communities.AddRange([new Community(65000, 1), new Community(Community.NoAdvertise), new Community(Community.Blackhole)]);
        b.ClusterList.Add(0xC000020A);
        b.ExtendedCommunities.Add(new ExtendedCommunity(0x0002FDE800000064));
        b.LargeCommunities.AddRange([new LargeCommunity(4200000001, 7, 8), new LargeCommunity(1, 2, 3)]);
        b.Unknown.Add(new RawAttribute(AttributeFlags.Optional | AttributeFlags.Transitive | AttributeFlags.Partial, 200, new byte[] { 9, 9, 9 }));
        return b.Build();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryAttributeRoundTripsThroughAnUpdate(bool fourOctet)
    {
        var options = new BgpSessionOptions { FourOctetAs = fourOctet };
        var attributes = Everything();
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        new UpdateBuilder(options).WriteAnnouncements(output, attributes, AfiSafi.Ipv4Unicast, [new NlriEntry(BgpPrefix.Parse("198.51.100.0/24"), 0)]);
        var update = (UpdateMessage)BgpMessageDecoder.DecodeMessage(output.WrittenMemory, options);
        Assert.Empty(update.Errors);
        if (fourOctet)
        {
            Assert.Equal(attributes, update.Attributes);
        }
        else
        {
            // AS4_PATH cannot carry confederation segments (RFC 6793 section 3): the 2-octet AS_PATH
            // keeps them, so the merged path equals the original.
            Assert.Equal(attributes.AsPath, update.Attributes!.AsPath);
            Assert.Equal(attributes.Aggregator, update.Attributes.Aggregator);
            Assert.Equal(attributes, update.Attributes);
        }
    }

    [Fact]
    public void UnknownOptionalTransitiveIsKeptWithPartialSetAndNonTransitiveIsDropped()
    {
        var attrs = Hex.Bytes("40010100 40020402 01fde9 400304c0000201 c76301aa 806402bbbb");
        var body = new byte[4 + attrs.Length + 4];
        body[2] = 0;
        body[3] = (byte)attrs.Length;
        attrs.CopyTo(body, 4);
        Hex.Bytes("18c63364").CopyTo(body, 4 + attrs.Length);
        var update = UpdateDecoder.Decode(body, BgpSessionOptions.Default);
        var raw = Assert.Single(update.Attributes!.Unknown);
        Assert.Equal((byte)99, raw.TypeCode);
        // Partial added, the unused low-order bits (set to 7 on the wire here) cleared.
        Assert.Equal(AttributeFlags.Optional | AttributeFlags.Transitive | AttributeFlags.Partial, raw.Flags);
        Assert.Equal(ErrorHandling.None, update.Handling);
    }

    [Fact]
    public void EveryAttributeHasAHandlingAndAReference()
    {
        foreach (var row in AttributeTable.All)
        {
            Assert.NotEqual(ErrorHandling.None, row.OnMalformed);
            Assert.Matches("^RFC [0-9]+ section [0-9.]+$", row.HandlingReference);
        }
    }

    [Fact]
    public void WellKnownCommunitiesAreNamed()
    {
        Assert.Equal("no-export", new Community(Community.NoExport).ToString());
        Assert.Equal("no-advertise", new Community(Community.NoAdvertise).ToString());
        Assert.Equal("no-export-subconfed", new Community(Community.NoExportSubconfed).ToString());
        Assert.Equal("no-peer", new Community(Community.NoPeer).ToString());
        Assert.Equal("blackhole", new Community(Community.Blackhole).ToString());
        Assert.Equal("graceful-shutdown", new Community(Community.GracefulShutdown).ToString());
        Assert.Equal("65000:100", new Community(65000, 100).ToString());
        Assert.Equal(new Community(Community.NoExport), Community.Parse("no-export"));
        Assert.Equal(new Community(65000, 7), Community.Parse("65000:7"));
    }

    [Fact]
    public void ExtendedCommunitiesPrintTheirUsualForms()
    {
        Assert.Equal("rt:65000:1", new ExtendedCommunity(0x0002FDE800000001).ToString());
        Assert.Equal("soo:192.0.2.1:7", new ExtendedCommunity(0x0103C00002010007).ToString());
        Assert.Equal("rt:4200000001:5", new ExtendedCommunity(0x0202FA56EA010005).ToString());
        Assert.Equal("0x4300000000000000", new ExtendedCommunity(0x4300000000000000).ToString());
    }
}
