using Tabby.Bgp.Fsm;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;
using Tabby.Testing.Xunit;
using static Tabby.Interop.Tests.Harness.TwoNodes;

namespace Tabby.Interop.Tests.Bird;

/// <summary>NOTIFICATIONs, TCP MD5 and max-prefix with BIRD, each side's view checked.</summary>
public sealed class BirdErrorTests(ITestOutputHelper output)
{
    private static async Task<string> LastErrorAsync(BirdDaemon bird, string protocol) =>
        (await bird.ShowProtocolAsync(protocol)).Split('\n').FirstOrDefault(l => l.Contains("Last error", StringComparison.Ordinal))?.Trim() ?? "";

    [RootFact]
    public async Task WrongAsOnOurSideIsUnderstoodByBird()
    {
        using var net = await CreateAsync("bird");
        await using var bird = await BirdDaemon.StartAsync(net.Peer, BirdConfigs.Sessions(65002, 65001), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65099)], output);
        await Wait.UntilAsync(async () => (await LastErrorAsync(bird, "tabby4")).Contains("Received: Bad peer AS", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "BIRD to report our Bad Peer AS NOTIFICATION", () => bird.ShowProtocolAsync("tabby4"));
        var peer = await tabby.PeerAsync(PeerV4);
        Assert.Contains("peer announced AS 65002, configured remote AS is 65099", peer.LastError);
        Assert.Contains("NOTIFICATION sent: NOTIFICATION OPEN Message Error / Bad Peer AS", peer.LastError);
    }

    [RootFact]
    public async Task WrongAsOnBirdsSideIsUnderstoodByUs()
    {
        using var net = await CreateAsync("bird");
        await using var bird = await BirdDaemon.StartAsync(net.Peer, BirdConfigs.Sessions(65002, 65099), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        await Wait.UntilAsync(async () => (await tabby.PeerAsync(PeerV4)).LastError?.Contains("NOTIFICATION received: NOTIFICATION OPEN Message Error / Bad Peer AS", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "Tabby to report BIRD's Bad Peer AS", async () => System.Text.Json.JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)));
        Assert.Contains("BGP Error: Bad peer AS", await LastErrorAsync(bird, "tabby4"));
    }

    [RootFact]
    public async Task UnacceptableHoldTimeFromBirdIsUnderstoodByUs()
    {
        using var net = await CreateAsync("bird");
        // BIRD refuses "hold time 1" (3-65535 or zero) and so do we, so neither side can propose
        // 1 s here; instead BIRD demands at least 20 s and answers our 9 s with OPEN Message Error /
        // Unacceptable Hold Time (RFC 4271 section 6.2). Our NOTIFICATION for a 1 s proposal is
        // checked against GoBGP, which can propose it.
        await using var bird = await BirdDaemon.StartAsync(net.Peer, BirdConfigs.Sessions(65002, 65001, options: "min hold time 20; hold time 30;"), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002)], output);
        await Wait.UntilAsync(async () => (await tabby.PeerAsync(PeerV4)).LastError?.Contains("NOTIFICATION received: NOTIFICATION OPEN Message Error / Unacceptable Hold Time", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(30), "Tabby to record BIRD's Unacceptable Hold Time", async () => System.Text.Json.JsonSerializer.Serialize(await tabby.PeerAsync(PeerV4)));
        Assert.Contains("Unacceptable hold time", await LastErrorAsync(bird, "tabby4"));
    }

    [RootTheory]
    [InlineData("s3cret", "s3cret", true)]
    [InlineData("s3cret", "wrong", false)]
    public async Task TcpMd5(string ours, string birds, bool establishes)
    {
        using var net = await CreateAsync("bird");
        await using var bird = await BirdDaemon.StartAsync(net.Peer, BirdConfigs.Sessions(65002, 65001, options: $"password \"{birds}\";"), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4,
            [TabbyNode.Peer(PeerV4, 65002, p => p with { Password = ours }), TabbyNode.Peer(PeerV6, 65002, p => p with { Password = ours })], output);
        if (establishes)
        {
            await bird.WaitEstablishedAsync("tabby4");
            await bird.WaitEstablishedAsync("tabby6");
            await tabby.WaitEstablishedAsync(PeerV4);
            return;
        }

        // Both sides keep trying for a while; the kernel drops every unsigned or mis-signed segment.
        await Task.Delay(TimeSpan.FromSeconds(8));
        Assert.NotEqual("Established", await bird.BgpStateAsync("tabby4"));
        Assert.NotEqual(SessionState.Established, (await tabby.PeerAsync(PeerV4)).State);
        Assert.NotEqual(SessionState.Established, (await tabby.PeerAsync(PeerV6)).State);
    }

    [RootFact]
    public async Task MaxPrefixTearDownIsSeenByBird()
    {
        using var net = await CreateAsync("bird");
        await using var bird = await BirdDaemon.StartAsync(net.Peer,
            BirdConfigs.Sessions(65002, 65001, routes4: "route 203.0.113.0/25 blackhole; route 203.0.113.128/25 blackhole; route 198.18.0.0/24 blackhole;"), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4,
            [TabbyNode.Peer(PeerV4, 65002, p => p with { MaxPrefixes = 2, MaxPrefixRestartTime = TimeSpan.FromMinutes(5) })], output);
        await Wait.UntilAsync(async () => (await LastErrorAsync(bird, "tabby4")).Contains("Received: Maximum number of prefixes reached", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "BIRD to report Cease / Maximum number of prefixes reached", () => bird.ShowProtocolAsync("tabby4"));
        var peer = await tabby.PeerAsync(PeerV4);
        Assert.Equal(SessionState.Idle, peer.State);
        Assert.Contains("above the limit of 2", peer.LastError);
        Assert.Empty(await tabby.Speaker.GetRoutesAsync(BgpPrefix.Parse("0.0.0.0/0")));
    }

    [RootFact]
    public async Task GtsmWithBird()
    {
        using var net = await CreateAsync("bird");
        // RFC 5082: both sides send TTL 255 and accept only 255 (one hop).
        await using var bird = await BirdDaemon.StartAsync(net.Peer, BirdConfigs.Sessions(65002, 65001, options: "ttl security on;"), output);
        await using var tabby = await TabbyNode.StartAsync(net.Tabby, 65001, TabbyV4, [TabbyNode.Peer(PeerV4, 65002, p => p with { TtlSecurityHops = 1 })], output);
        await bird.WaitEstablishedAsync("tabby4");
        await tabby.WaitEstablishedAsync(PeerV4);
    }
}
