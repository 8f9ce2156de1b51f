using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Messages;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Benchmarks.BgpSpeaker;

/// <summary>
/// Roles of the BGP ingest benchmark (bench/bgp/ingest.sh runs them in namespaces):
/// <c>bgp-inject TARGET SOURCE AS COUNT OFFSET [GO-FILE]</c> pre-encodes COUNT unique /32 routes (one
/// attribute set, packed UPDATEs) before connecting, connects, waits for GO-FILE to exist, then writes them as fast as TCP takes them and
/// prints its own send time; <c>bgp-monitor TARGET SOURCE AS EXPECTED</c> counts announced prefixes
/// and prints when EXPECTED arrived.
/// </summary>
public static class BgpIngest
{
    public static async Task<int> InjectAsync(string[] args)
    {
        var target = IPAddress.Parse(args[0]);
        var source = IPAddress.Parse(args[1]);
        uint asn = uint.Parse(args[2], CultureInfo.InvariantCulture);
        int count = int.Parse(args[3], CultureInfo.InvariantCulture);
        uint offset = uint.Parse(args[4], CultureInfo.InvariantCulture);

        // Encode everything first so the measurement is the target, not our encoder.
        var b = new PathAttributesBuilder { Origin = Origin.Igp, AsPath = AsPath.Sequence(asn), NextHop = source };
        var attributes = b.Build();
        var entries = new NlriEntry[count];
        for (int i = 0; i < count; i++) entries[i] = new NlriEntry(BgpPrefix.FromIpv4(0x0A000000u + offset + (uint)i, 32), 0);
        var encoded = new ArrayBufferWriter<byte>(count * 6 + 65536);
        var options = BgpSessionOptions.Default with { FourOctetAs = true };
        int messages = new UpdateBuilder(options).WriteAnnouncements(encoded, attributes, AfiSafi.Ipv4Unicast, entries);
        new UpdateBuilder(options).WriteEndOfRib(encoded, AfiSafi.Ipv4Unicast);

        await using var peer = await BenchPeer.ConnectAsync(target, source, asn, TimeSpan.FromSeconds(60));
        // Connected and encoded: wait for the start signal so process start-up is outside the measurement.
        string? go = args.Length > 5 ? args[5] : null;
        if (go is not null)
        {
            Console.WriteLine("inject ready");
            while (!File.Exists(go)) await Task.Delay(1);
        }

        var watch = Stopwatch.StartNew();
        await peer.WriteAsync(encoded.WrittenMemory);
        await peer.Stream.FlushAsync();
        Console.WriteLine(FormattableString.Invariant($"inject {source} sent {count} routes in {messages} UPDATEs ({encoded.WrittenCount} bytes) in {watch.Elapsed.TotalSeconds:0.000} s"));
        // Stay connected (and drain what the target sends) until killed.
        try
        {
            while (true) await peer.ReadMessageAsync();
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException)
        {
            return 0;
        }
    }

    public static async Task<int> MonitorAsync(string[] args)
    {
        var target = IPAddress.Parse(args[0]);
        var source = IPAddress.Parse(args[1]);
        uint asn = uint.Parse(args[2], CultureInfo.InvariantCulture);
        long expected = long.Parse(args[3], CultureInfo.InvariantCulture);
        await using var peer = await BenchPeer.ConnectAsync(target, source, asn, TimeSpan.FromSeconds(120));
        Console.WriteLine("monitor established");
        var seen = new HashSet<uint>();
        var watch = Stopwatch.StartNew();
        var receive = BgpSessionOptions.Default with { FourOctetAs = true };
        while (seen.Count < expected)
        {
            var (type, body) = await peer.ReadMessageAsync();
            if (type != MessageType.Update) continue;
            var update = UpdateDecoder.Decode(body, receive);
            foreach (var e in update.Nlri) seen.Add(e.Prefix.Ipv4Address);
        }

        Console.WriteLine(FormattableString.Invariant($"monitor received {seen.Count} prefixes at {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()} ms"));
        return 0;
    }
}
