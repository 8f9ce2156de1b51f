using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Xunit;
using static Tabby.Interop.Tests.Harness.TwoNodes;

namespace Tabby.Interop.Tests.ExaBgp;

/// <summary>
/// Sessions and routes with ExaBGP. ExaBGP's view of what we send comes from its API: a small
/// process receives every parsed UPDATE as JSON and appends it to a file.
/// </summary>
public sealed class ExaBgpSessionTests(ITestOutputHelper output)
{
    private static string Config(string dumpScript, string dumpFile, uint tabbyAs, string capability = "", bool passive = false) => $$"""
        process dump {
          run /usr/bin/python3 {{dumpScript}} {{dumpFile}};
          encoder json;
        }
        neighbor 192.0.2.1 {
          router-id 192.0.2.2;
          local-address 192.0.2.2;
          local-as 65002;
          peer-as {{tabbyAs}};
          hold-time 9;
          {{(passive ? "passive true;" : "")}}
          family { ipv4 unicast; ipv6 unicast; }
          {{capability}}
          api { processes [ dump ]; receive { parsed; update; } }
          static {
            route 203.0.113.0/24 next-hop 192.0.2.2 community [65002:10] large-community [65002:1:2] med 33;
            route 2001:db8:200::/48 next-hop 2001:db8::2 community [65002:10];
          }
        }
        """;

    private const string DumpScript = """
        import sys
        with open(sys.argv[1], "a") as f:
            for line in sys.stdin:
                f.write(line)
                f.flush()
        """;

    private static async Task<(ExaBgpDaemon Daemon, string DumpFile)> StartExaBgpAsync(TwoNodes net, ITestOutputHelper output, uint tabbyAs, string capability = "", bool passive = false)
    {
        var script = Path.Combine(net.Peer.ScratchDirectory, "dump.py");
        var dump = Path.Combine(net.Peer.ScratchDirectory, "received.jsonl");
        await File.WriteAllTextAsync(script, DumpScript);
        var environment = passive ? new Dictionary<string, string> { ["exabgp.tcp.bind"] = PeerV4, ["exabgp.tcp.port"] = "179" } : null;
        var daemon = await ExaBgpDaemon.StartAsync(net.Peer, Config(script, dump, tabbyAs, capability, passive), output, environment);
        return (daemon, dump);
    }

    private static string Received(string dumpFile) => File.Exists(dumpFile) ? File.ReadAllText(dumpFile) : "";

    [RootTheory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task SessionsEstablishAndRoutesFlowBothWays(bool exabgpPassive, bool tabbyPassive)
    {
        using var net = await CreateAsync("exabgp");
        var (exabgp, dump) = await StartExaBgpAsync(net, output, 65001, passive: exabgpPassive);
        await using var _ = exabgp;
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002, p => p with { Passive = tabbyPassive, NextHopIpv6 = System.Net.IPAddress.Parse(TabbyV6) })], output);
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"), new RouteAttributes { Communities = [new Community(65001, 7)], LargeCommunities = [new LargeCommunity(65001, 3, 4)], Med = 50 });
        tabby.Speaker.Originate(BgpPrefix.Parse("2001:db8:100::/48"));

        await tabby.WaitEstablishedAsync(PeerV4);
        await tabby.WaitRouteAsync("203.0.113.0/24");
        var best = (await tabby.RouteAsync("203.0.113.0/24"))!.Paths.Single(p => p.Best);
        Assert.Contains("65002:10", best.Communities);
        Assert.Contains("65002:1:2", best.LargeCommunities);
        Assert.Equal(33u, best.Med);
        await tabby.WaitRouteAsync("2001:db8:200::/48");

        // ExaBGP's own parse of our UPDATEs.
        await Wait.UntilAsync(() => Task.FromResult(Received(dump).Contains("198.51.100.0/24", StringComparison.Ordinal) && Received(dump).Contains("2001:db8:100::/48", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), "ExaBGP to receive our routes", () => Task.FromResult(Received(dump) + exabgp.ReadLog()));
        var received = Received(dump);
        Assert.Contains("[ 65001, 7 ]", received.Replace("[65001,7]", "[ 65001, 7 ]", StringComparison.Ordinal));
        Assert.Contains("\"med\": 50", received);

        tabby.Speaker.Withdraw(BgpPrefix.Parse("198.51.100.0/24"));
        await Wait.UntilAsync(() => Task.FromResult(Received(dump).Contains("\"withdraw\"", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), "ExaBGP to receive our withdrawal", () => Task.FromResult(Received(dump)));
    }

    [RootFact]
    public async Task FourOctetAsWorksAgainstATwoOctetOnlyPeer()
    {
        using var net = await CreateAsync("exabgp");
        // ExaBGP without the 4-octet capability: we are AS_TRANS to it (RFC 6793 section 4.2) and
        // our real path travels in AS4_PATH.
        var (exabgp, dump) = await StartExaBgpAsync(net, output, 23456, capability: "capability { asn4 disable; }");
        await using var _ = exabgp;
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 4200000001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        tabby.Speaker.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        await tabby.WaitEstablishedAsync(PeerV4);
        await tabby.WaitRouteAsync("203.0.113.0/24");
        Assert.Equal("65002", (await tabby.RouteAsync("203.0.113.0/24"))!.Paths[0].AsPath);
        await Wait.UntilAsync(() => Task.FromResult(Received(dump).Contains("198.51.100.0/24", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), "ExaBGP to receive our route", () => Task.FromResult(Received(dump) + exabgp.ReadLog()));
        var received = Received(dump);
        Assert.True(received.Contains("23456", StringComparison.Ordinal) || received.Contains("4200000001", StringComparison.Ordinal), received);
    }
}
