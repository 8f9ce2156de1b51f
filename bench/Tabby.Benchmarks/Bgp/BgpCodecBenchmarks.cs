using System.Buffers;
using System.Net;
using BenchmarkDotNet.Attributes;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Messages;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Benchmarks.Bgp;

/// <summary>
/// BGP codec throughput on realistic UPDATEs: 12,000 prefixes spread over 64 distinct attribute
/// sets (4-6 AS hops, communities, large communities, MED), packed 1, 10 or as many as fit per
/// UPDATE. Every benchmark processes all 12,000 prefixes per invocation, so Mean is the time per
/// prefix and Allocated the bytes per prefix (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class BgpCodecBenchmarks
{
    private const int Prefixes = 12_000;
    private const int AttributeSets = 64;

    private static readonly BgpSessionOptions Options = new() { FourOctetAs = true };
    private static readonly BgpSessionOptions AddPathOptions = new() { FourOctetAs = true, AddPath = AddPathFamilies.Ipv6Unicast };

    private byte[][] _ipv4Updates = [];
    private byte[][] _ipv6Updates = [];
    private byte[] _ipv4Stream = [];
    private PathAttributes[] _sets = [];
    private NlriEntry[][] _prefixesBySet = [];
    private readonly ArrayBufferWriter<byte> _output = new(1 << 20);
    private AttributeSetInterner _interner = new();

    /// <summary>Prefixes per UPDATE: 1 (worst case), 10 (typical of a full table), 0 = as many as fit in 4096 bytes.</summary>
    [Params(1, 10, 0)]
    public int PerUpdate { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _sets = Enumerable.Range(0, AttributeSets).Select(MakeSet).ToArray();
        var v4 = Enumerable.Range(0, Prefixes).Select(i => new NlriEntry(BgpPrefix.FromIpv4(0x0A000000u + ((uint)i << 8), 24), 0)).ToArray();
        var v6 = Enumerable.Range(0, Prefixes).Select(i => new NlriEntry(BgpPrefix.FromIpv6(0x20010db800000000UL | ((ulong)i << 16), 0, 48), (uint)(i % 4) + 1)).ToArray();
        _prefixesBySet = Enumerable.Range(0, AttributeSets).Select(s => v4.Where((_, i) => i % AttributeSets == s).ToArray()).ToArray();
        _ipv4Updates = Build(v4, AfiSafi.Ipv4Unicast, Options);
        _ipv6Updates = Build(v6, AfiSafi.Ipv6Unicast, AddPathOptions);
        _ipv4Stream = _ipv4Updates.SelectMany(m => m).ToArray();
        _interner = new AttributeSetInterner();
    }

    private byte[][] Build(NlriEntry[] prefixes, AfiSafi family, BgpSessionOptions options)
    {
        var messages = new List<byte[]>();
        int chunk = PerUpdate == 0 ? Prefixes : PerUpdate;
        for (int start = 0, n = 0; start < prefixes.Length; start += chunk, n++)
        {
            var set = _sets[n % AttributeSets];
            if (family == AfiSafi.Ipv6Unicast)
            {
                var b = set.ToBuilder();
                b.NextHop = null;
                b.MpNextHop = IPAddress.Parse("2001:db8::1");
                b.MpLinkLocalNextHop = IPAddress.Parse("fe80::1");
                set = b.Build();
            }

            var output = new ArrayBufferWriter<byte>();
            new UpdateBuilder(options).WriteAnnouncements(output, set, family, prefixes.AsSpan(start, Math.Min(chunk, prefixes.Length - start)));
            var stream = new ReadOnlySequence<byte>(output.WrittenMemory);
            while (BgpFrameReader.TryRead(ref stream, options, out var frame))
                messages.Add([.. new byte[19], .. frame.Body.ToArray()]);
        }

        // Keep whole messages (header bytes rebuilt) for the stream benchmark.
        foreach (var m in messages)
        {
            m.AsSpan(0, 16).Fill(0xFF);
            m[16] = (byte)(m.Length >> 8);
            m[17] = (byte)m.Length;
            m[18] = (byte)MessageType.Update;
        }

        return messages.ToArray();
    }

    private static PathAttributes MakeSet(int i)
    {
        var b = new PathAttributesBuilder
        {
            Origin = Origin.Igp,
            AsPath = AsPath.Sequence([.. Enumerable.Range(0, 4 + i % 3).Select(h => (uint)(64500 + i * 7 + h)), 4200000000u + (uint)i]),
            NextHop = new IPAddress(new byte[] { 192, 0, 2, (byte)(1 + i % 200) }),
            MultiExitDisc = (uint)(i % 5) * 10,
        };
        b.Communities.AddRange([new Community(65000, (ushort)i), new Community(65000, 100)]);
        b.LargeCommunities.Add(new LargeCommunity(4200000001, 1, (uint)i));
        return b.Build();
    }

    /// <summary>Decode IPv4 UPDATEs (attributes interned) and visit every prefix.</summary>
    [Benchmark(OperationsPerInvoke = Prefixes)]
    public uint DecodeIpv4()
    {
        uint sum = 0;
        foreach (var message in _ipv4Updates)
        {
            var update = UpdateDecoder.Decode(message.AsMemory(19), Options, _interner);
            foreach (var entry in update.Nlri) sum += entry.Prefix.Ipv4Address;
        }

        return sum;
    }

    /// <summary>Decode IPv6 MP_REACH UPDATEs with ADD-PATH and a link-local next hop, visiting every prefix.</summary>
    [Benchmark(OperationsPerInvoke = Prefixes)]
    public uint DecodeIpv6AddPath()
    {
        uint sum = 0;
        foreach (var message in _ipv6Updates)
        {
            var update = UpdateDecoder.Decode(message.AsMemory(19), AddPathOptions, _interner);
            foreach (var entry in update.MpReach!.Value) sum += entry.PathId;
        }

        return sum;
    }

    /// <summary>The speaker's path: frame from a byte stream, then decode (no body copy needed for a single segment).</summary>
    [Benchmark(OperationsPerInvoke = Prefixes)]
    public uint FrameAndDecodeIpv4()
    {
        uint sum = 0;
        var stream = new ReadOnlySequence<byte>(_ipv4Stream);
        while (BgpFrameReader.TryRead(ref stream, Options, out var frame))
        {
            var update = UpdateDecoder.Decode(frame.Body.First, Options, _interner);
            foreach (var entry in update.Nlri) sum += entry.Prefix.Ipv4Address;
        }

        return sum;
    }

    /// <summary>Decode without an interner: every UPDATE's attributes are decoded and materialized.</summary>
    [Benchmark(OperationsPerInvoke = Prefixes)]
    public uint DecodeIpv4NoInterning()
    {
        uint sum = 0;
        foreach (var message in _ipv4Updates)
        {
            var update = UpdateDecoder.Decode(message.AsMemory(19), Options);
            foreach (var entry in update.Nlri) sum += entry.Prefix.Ipv4Address;
        }

        return sum;
    }

    /// <summary>Encode: pack each attribute set's prefixes into UPDATEs of at most 4096 bytes.</summary>
    [Benchmark(OperationsPerInvoke = Prefixes)]
    public int EncodeIpv4()
    {
        _output.ResetWrittenCount();
        var builder = new UpdateBuilder(Options);
        int messages = 0;
        for (int s = 0; s < AttributeSets; s++)
        {
            var prefixes = _prefixesBySet[s];
            int chunk = PerUpdate == 0 ? prefixes.Length : PerUpdate;
            for (int start = 0; start < prefixes.Length; start += chunk)
                messages += builder.WriteAnnouncements(_output, _sets[s], AfiSafi.Ipv4Unicast, prefixes.AsSpan(start, Math.Min(chunk, prefixes.Length - start)));
        }

        return messages;
    }
}
