using System.Text.Json;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Xunit;

namespace Tabby.Interop.Tests.GoBgp;

/// <summary>
/// ADD-PATH send (RFC 7911) to GoBGP: Tabby holds two paths for one prefix (its own origination and
/// one learned from a GoBGP source) and sends both to a GoBGP receiver configured with add-paths
/// receive, each under its own path identifier; a path that goes is withdrawn by its identifier
/// while the other stays.
/// </summary>
public sealed class GoBgpAddPathTests(ITestOutputHelper output)
{
    private const string Prefix = "203.0.113.0/24";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static string Config(uint asn, string routerId, bool addPathReceive) => $$"""
        [global.config]
          as = {{asn}}
          router-id = "{{routerId}}"
        [[neighbors]]
          [neighbors.config]
            neighbor-address = "{{Lan.TabbyAddress}}"
            peer-as = 65001
          [neighbors.timers.config]
            connect-retry = 1
            hold-time = 9
            keepalive-interval = 3
          [neighbors.transport.config]
            passive-mode = true
          [[neighbors.afi-safis]]
            [neighbors.afi-safis.config]
              afi-safi-name = "ipv4-unicast"
            [neighbors.afi-safis.add-paths.config]
              receive = {{(addPathReceive ? "true" : "false")}}
        """;

    /// <summary>The receiver's paths for the prefix, as gobgp prints them in JSON.</summary>
    private static async Task<IReadOnlyList<JsonElement>> PathsAsync(GoBgpDaemon gobgp)
    {
        var rib = await gobgp.GlobalRibAsync("ipv4");
        return rib.TryGetValue(Prefix, out var paths) && paths.ValueKind == JsonValueKind.Array ? paths.EnumerateArray().ToList() : [];
    }

    private static string AsPathOf(JsonElement path)
    {
        foreach (var attribute in path.GetProperty("attrs").EnumerateArray())
            if (attribute.TryGetProperty("as_paths", out var segments))
                return string.Join(" ", segments.EnumerateArray().SelectMany(s => s.GetProperty("asns").EnumerateArray().Select(a => a.GetUInt32())));
        return "";
    }

    /// <summary>
    /// Path identifier per AS path of the prefix in GoBGP's Adj-RIB-In from Tabby, read from the
    /// table gobgp prints ("ID  Network  Next Hop  AS_PATH  Age  Attrs"; its JSON has no identifier).
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, uint>> AdjInIdsAsync(GoBgpDaemon gobgp)
    {
        var text = await gobgp.GobgpAsync("neighbor", Lan.TabbyAddress, "adj-in", "-a", "ipv4");
        var ids = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^\s*(\d+)\s+(\S+)\s+\S+\s+(.+?)\s+\d{2}:\d{2}:\d{2}\s");
            if (m.Success && m.Groups[2].Value == Prefix) ids.Add(m.Groups[3].Value, uint.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        return ids;
    }

    [RootFact]
    public async Task GoBgpReceivesBothPathsWithDistinctIdentifiersAndLosesOnlyTheWithdrawnOne()
    {
        using var lan = await Lan.CreateAsync("gobgp-src", "gobgp-rcv");
        string source = Lan.AddressOf(0), receiver = Lan.AddressOf(1);
        await using var src = await GoBgpDaemon.StartAsync(lan.Others[0], Config(65011, source, addPathReceive: false), output);
        await using var rcv = await GoBgpDaemon.StartAsync(lan.Others[1], Config(65099, receiver, addPathReceive: true), output);
        await using var tabby = await TabbyNode.StartAsync(lan.Tabby, 65001, Lan.TabbyAddress,
            [TabbyNode.Peer(source, 65011), TabbyNode.Peer(receiver, 65099, p => p with { AddPathSend = true })], output);
        await src.WaitEstablishedAsync(Lan.TabbyAddress);
        await rcv.WaitEstablishedAsync(Lan.TabbyAddress);

        tabby.Speaker.Originate(BgpPrefix.Parse(Prefix));
        await src.GobgpAsync("global", "rib", "-a", "ipv4", "add", Prefix);
        await tabby.WaitRouteAsync(Prefix, r => r.Paths.Count == 2);

        await Wait.UntilAsync(async () => (await PathsAsync(rcv)).Count == 2, Timeout, "GoBGP to hold both paths from Tabby",
            async () => await rcv.GobgpAsync("global", "rib", "-a", "ipv4") + "\n" + (await rcv.GobgpJsonAsync("global", "rib", "-a", "ipv4")).GetRawText());
        var paths = await PathsAsync(rcv);
        Assert.Single(paths, p => AsPathOf(p) == "65001");
        Assert.Single(paths, p => AsPathOf(p) == "65001 65011");
        // The identifiers as GoBGP received them (its adj-in lists them in the ID column).
        var ids = await AdjInIdsAsync(rcv);
        Assert.Equal(2, ids.Count);
        Assert.NotEqual(ids["65001"], ids["65001 65011"]);

        // The source withdraws: GoBGP keeps Tabby's own path, under the same identifier.
        await src.GobgpAsync("global", "rib", "-a", "ipv4", "del", Prefix);
        await Wait.UntilAsync(async () => (await PathsAsync(rcv)).Count == 1, Timeout, "GoBGP to drop the withdrawn path",
            () => rcv.GobgpAsync("global", "rib", "-a", "ipv4"));
        var left = Assert.Single(await PathsAsync(rcv));
        Assert.Equal("65001", AsPathOf(left));
        var idsLeft = await AdjInIdsAsync(rcv);
        Assert.Equal(ids["65001"], Assert.Single(idsLeft, kv => kv.Key == "65001").Value);
        Assert.Single(idsLeft);

        tabby.Speaker.Withdraw(BgpPrefix.Parse(Prefix));
        await Wait.UntilAsync(async () => (await PathsAsync(rcv)).Count == 0, Timeout, "GoBGP to drop the prefix",
            () => rcv.GobgpAsync("global", "rib", "-a", "ipv4"));
    }
}
