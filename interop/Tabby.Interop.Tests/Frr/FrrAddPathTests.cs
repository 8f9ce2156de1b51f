using System.Text.Json;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Xunit;

namespace Tabby.Interop.Tests.Frr;

/// <summary>
/// ADD-PATH send (RFC 7911) to FRR bgpd, which offers ADD-PATH receive by default: Tabby holds two
/// paths for one prefix (its own and one from a GoBGP source) and bgpd shows both from Tabby, each
/// with the path identifier it received; the one that goes is withdrawn by its identifier.
/// </summary>
public sealed class FrrAddPathTests(ITestOutputHelper output)
{
    private const string Prefix = "203.0.113.0/24";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static string SourceConfig(string routerId) => $$"""
        [global.config]
          as = 65011
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
        """;

    private static string ReceiverConfig(string routerId) => $$"""
        frr defaults traditional
        hostname frr
        log stdout debugging
        router bgp 65099
         bgp router-id {{routerId}}
         no bgp ebgp-requires-policy
         neighbor {{Lan.TabbyAddress}} remote-as 65001
         neighbor {{Lan.TabbyAddress}} timers 3 9
         neighbor {{Lan.TabbyAddress}} timers connect 1
         address-family ipv4 unicast
          neighbor {{Lan.TabbyAddress}} activate
         exit-address-family
        exit
        """;

    /// <summary>(AS path, received path identifier) of each path bgpd holds for the prefix.</summary>
    private static async Task<IReadOnlyList<(string AsPath, uint PathId)>> PathsAsync(FrrBgpDaemon frr)
    {
        var json = await frr.VtyshJsonAsync($"show bgp ipv4 unicast {Prefix} json");
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("paths", out var paths)) return [];
        return paths.EnumerateArray()
            .Select(p => (p.GetProperty("aspath").GetProperty("string").GetString() ?? "",
                p.TryGetProperty("addpathRxId", out var id) ? id.GetUInt32() : 0u))
            .ToList();
    }

    [RootFact]
    public async Task BgpdReceivesBothPathsWithDistinctIdentifiersAndLosesOnlyTheWithdrawnOne()
    {
        using var lan = await Lan.CreateAsync("gobgp-src", "frr-rcv");
        string source = Lan.AddressOf(0), receiver = Lan.AddressOf(1);
        await using var src = await GoBgpDaemon.StartAsync(lan.Others[0], SourceConfig(source), output);
        await using var frr = await FrrBgpDaemon.StartAsync(lan.Others[1], ReceiverConfig(receiver), output);
        await using var tabby = await TabbyNode.StartAsync(lan.Tabby, 65001, Lan.TabbyAddress,
            [TabbyNode.Peer(source, 65011), TabbyNode.Peer(receiver, 65099, p => p with { AddPathSend = true })], output);
        await src.WaitEstablishedAsync(Lan.TabbyAddress);
        await frr.WaitEstablishedAsync(Lan.TabbyAddress);

        tabby.Speaker.Originate(BgpPrefix.Parse(Prefix));
        await src.GobgpAsync("global", "rib", "-a", "ipv4", "add", Prefix);
        // bgpd also sends its best path back to us; our AS in its AS path makes that one ineligible.
        await tabby.WaitRouteAsync(Prefix, r => r.Paths.Count(p => p.Accepted) == 2);

        await Wait.UntilAsync(async () => (await PathsAsync(frr)).Count == 2, Timeout, "bgpd to hold both paths from Tabby",
            () => frr.VtyshAsync($"show bgp ipv4 unicast {Prefix}"));
        var paths = await PathsAsync(frr);
        var own = Assert.Single(paths, p => p.AsPath == "65001");
        var learned = Assert.Single(paths, p => p.AsPath == "65001 65011");
        Assert.NotEqual(0u, own.PathId);
        Assert.NotEqual(0u, learned.PathId);
        Assert.NotEqual(own.PathId, learned.PathId);

        // The source withdraws: bgpd keeps Tabby's own path under the same identifier.
        await src.GobgpAsync("global", "rib", "-a", "ipv4", "del", Prefix);
        await Wait.UntilAsync(async () => (await PathsAsync(frr)).Count == 1, Timeout, "bgpd to drop the withdrawn path",
            () => frr.VtyshAsync($"show bgp ipv4 unicast {Prefix}"));
        Assert.Equal(own, Assert.Single(await PathsAsync(frr)));

        tabby.Speaker.Withdraw(BgpPrefix.Parse(Prefix));
        await Wait.UntilAsync(async () => (await PathsAsync(frr)).Count == 0, Timeout, "bgpd to drop the prefix",
            () => frr.VtyshAsync($"show bgp ipv4 unicast {Prefix}"));
    }
}
