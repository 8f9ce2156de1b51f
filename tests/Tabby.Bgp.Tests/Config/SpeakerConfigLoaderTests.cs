using System.Net;
using Tabby.Bgp.Config;
using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Tests.Config;

public sealed class SpeakerConfigLoaderTests
{
    private const string Full = """
        routerId: 192.0.2.1
        asNumber: 65001
        listen: ["192.0.2.1:1179"]
        clusterId: 192.0.2.254
        statusSocket: /tmp/x.sock
        peers:
          - address: 192.0.2.2
            asNumber: 65002
            password: s3cret
            ttlSecurity: 1
            nextHopMode: Self
            holdTime: 9
            keepaliveTime: 3
            passive: true
            routeReflectorClient: true
            maxPrefixes: 10
            maxPrefixAction: Warn
            exportPolicy: out
        originate:
          - prefix: 198.51.100.0/24
            communities: ["65001:100", "no-export"]
            largeCommunities: ["65001:1:2"]
            med: 10
        policies:
          out:
            defaultAction: Reject
            rules:
              - prefixes: ["198.51.100.0/24 le 26", "not 10.0.0.0/8"]
                action: Accept
                addCommunities: ["65001:200"]
                prepend: 2
        """;

    [Fact]
    public void FullConfigurationIsConverted()
    {
        var c = SpeakerConfigLoader.Parse(Full);
        Assert.Equal(65001u, c.Options.LocalAs);
        Assert.Equal(IPAddress.Parse("192.0.2.254"), c.Options.ClusterId);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 1179), Assert.Single(c.Options.ListenEndpoints));
        Assert.Equal("/tmp/x.sock", c.StatusSocket);
        var peer = Assert.Single(c.Peers);
        Assert.Equal("s3cret", peer.Password);
        Assert.Equal(1, peer.TtlSecurityHops);
        Assert.Equal(NextHopMode.Self, peer.NextHopMode);
        Assert.Equal(TimeSpan.FromSeconds(9), peer.HoldTime);
        Assert.True(peer.Passive && peer.RouteReflectorClient);
        Assert.Equal(MaxPrefixAction.Warn, peer.MaxPrefixAction);
        Assert.Equal("out", peer.ExportPolicy.Name);
        Assert.Equal(2, peer.ExportPolicy.Rules[0].Match.Prefixes.Count);
        Assert.True(peer.ExportPolicy.Rules[0].Match.Prefixes[1].Negate);
        var (prefix, attributes) = Assert.Single(c.Originate);
        Assert.Equal(BgpPrefix.Parse("198.51.100.0/24"), prefix);
        Assert.Contains(new Community(Community.NoExport), attributes.Communities);
        Assert.Equal(10u, attributes.Med);
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData("all", 0)]
    [InlineData("2", 2)]
    [InlineData("best 3", 3)]
    public void AddPathSendPathsAcceptsAllOrBestN(string? value, int expected)
    {
        var yaml = "routerId: 192.0.2.1\nasNumber: 1\npeers:\n  - address: 192.0.2.2\n    asNumber: 2\n    addPathSend: true\n"
            + (value is null ? "" : $"    addPathSendPaths: {value}\n");
        var peer = Assert.Single(SpeakerConfigLoader.Parse(yaml).Peers);
        Assert.True(peer.AddPathSend);
        Assert.Equal(expected, peer.AddPathSendMaxPaths);
    }

    [Theory]
    [InlineData("asNumber: 65001\n", "routerId: required")]
    [InlineData("routerId: 192.0.2.1\n", "asNumber: required")]
    [InlineData("routerId: 192.0.2.1\nasNumber: 1\npeers:\n  - address: nope\n    asNumber: 2\n", "peers[0].address: 'nope' is not an IP address")]
    [InlineData("routerId: 192.0.2.1\nasNumber: 1\npeers:\n  - address: 192.0.2.2\n    asNumber: 2\n    holdTime: 2\n", "peers[0]: peer 192.0.2.2: holdTime 2 s must be 0 or at least 3 s")]
    [InlineData("routerId: 192.0.2.1\nasNumber: 1\npeers:\n  - address: 192.0.2.2\n    asNumber: 2\n    nextHopMode: Sometimes\n", "peers[0].nextHopMode: 'Sometimes' is not one of Auto, Self, Keep")]
    [InlineData("routerId: 192.0.2.1\nasNumber: 1\npeers:\n  - address: 192.0.2.2\n    asNumber: 2\n    importPolicy: missing\n", "peers[0].importPolicy: no policy named 'missing'")]
    [InlineData("routerId: 192.0.2.1\nasNumber: 1\npeers:\n  - address: 192.0.2.2\n    asNumber: 2\n  - address: 192.0.2.2\n    asNumber: 3\n", "peers[1].address: 192.0.2.2 is configured twice")]
    [InlineData("routerId: 192.0.2.1\nasNumber: 1\noriginate:\n  - prefix: 198.51.100.0/24\n    communities: [\"1:2:3\"]\n", "originate[0].communities[0]")]
    [InlineData("routerId: 192.0.2.1\nasNumber: 1\npolicies:\n  p:\n    rules:\n      - prefixes: [\"10.0.0.0/8 ge 4\"]\n", "policies.p.rules[0].prefixes[0]")]
    [InlineData("routerId: 192.0.2.1\nasNumber: 1\nlisten: [\"nowhere\"]\n", "listen[0]: 'nowhere' is not ADDRESS:PORT")]
    [InlineData("routerId: [1\n", "line 1")]
    [InlineData("routerId: 192.0.2.1\nasNumber: 1\npeers:\n  - address: 192.0.2.2\n    asNumber: 2\n    addPathSend: true\n    addPathSendPaths: best 0\n", "peers[0].addPathSendPaths: 'best 0' is not all, N or best N with N in 1..255")]
    [InlineData("routerId: 192.0.2.1\nasNumber: 1\npeers:\n  - address: 192.0.2.2\n    asNumber: 2\n    addPathSendPaths: some\n", "peers[0].addPathSendPaths: 'some'")]
    public void ErrorsNameTheField(string yaml, string expected)
    {
        var e = Assert.Throws<SpeakerConfigException>(() => SpeakerConfigLoader.Parse(yaml));
        Assert.Contains(expected, e.Message);
    }
}
