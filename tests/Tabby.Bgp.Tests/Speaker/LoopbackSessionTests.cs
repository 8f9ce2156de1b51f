using System.Net;
using Tabby.Bgp.Fsm;
using Tabby.Bgp.Rib;
using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Testing;

namespace Tabby.Bgp.Tests.Speaker;

/// <summary>Two Tabby speakers over loopback TCP: sessions, routes, withdrawals, errors, MD5.</summary>
public sealed class LoopbackSessionTests
{
    private static readonly TimeSpan RouteTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task EbgpSessionCarriesOriginatedRoutesAndWithdrawals()
    {
        await using var pair = await LoopbackSpeakers.StartAsync(65001, 65002);
        await LoopbackSpeakers.WaitStateAsync(pair.A, SessionState.Established);
        await LoopbackSpeakers.WaitStateAsync(pair.B, SessionState.Established);

        pair.A.Originate(BgpPrefix.Parse("198.51.100.0/24"), new RouteAttributes
        {
            Communities = [new Community(65001, 7)],
            LargeCommunities = [new LargeCommunity(65001, 1, 2)],
            Med = 50,
        });
        await Wait.UntilAsync(async () => await LoopbackSpeakers.RouteAsync(pair.B, "198.51.100.0/24") is not null, RouteTimeout, "B to learn the route");
        var route = (await LoopbackSpeakers.RouteAsync(pair.B, "198.51.100.0/24"))!;
        var best = route.Paths.Single(p => p.Best);
        Assert.Equal("65001", best.AsPath);
        Assert.Equal("127.0.0.1", best.NextHop);
        Assert.Equal(50u, best.Med);
        Assert.Contains("65001:7", best.Communities);
        Assert.Contains("65001:1:2", best.LargeCommunities);
        Assert.Null(best.LocalPreference);

        var status = await pair.A.GetStatusAsync();
        Assert.Equal(1, status.Peers[0].PrefixesAdvertised);
        Assert.True(status.Peers[0].MessagesOut["update"] >= 2); // the route and End-of-RIB

        pair.A.Withdraw(BgpPrefix.Parse("198.51.100.0/24"));
        await Wait.UntilAsync(async () => await LoopbackSpeakers.RouteAsync(pair.B, "198.51.100.0/24") is null, RouteTimeout, "B to drop the route");
    }

    [Fact]
    public async Task IbgpSessionKeepsNextHopAndSetsLocalPreference()
    {
        await using var pair = await LoopbackSpeakers.StartAsync(65010, 65010);
        await LoopbackSpeakers.WaitStateAsync(pair.B, SessionState.Established);
        pair.A.Originate(BgpPrefix.Parse("203.0.113.0/25"), new RouteAttributes { LocalPreference = 200 });
        await Wait.UntilAsync(async () => await LoopbackSpeakers.RouteAsync(pair.B, "203.0.113.0/25") is not null, RouteTimeout, "B to learn the route");
        var best = (await LoopbackSpeakers.RouteAsync(pair.B, "203.0.113.0/25"))!.Paths.Single(p => p.Best);
        Assert.Equal("", best.AsPath);
        Assert.Equal(200u, best.LocalPreference);
        Assert.Equal("127.0.0.1", best.NextHop);
        Assert.Equal("ibgp", (await pair.B.GetStatusAsync()).Peers[0].Type);
    }

    [Fact]
    public async Task WrongRemoteAsIsReportedOnBothSides()
    {
        await using var pair = await LoopbackSpeakers.StartAsync(65001, 65002, peerOfB: p => p with { RemoteAs = 65099 });
        await Wait.UntilAsync(async () => (await pair.B.GetStatusAsync()).Peers[0].LastError?.Contains("Bad Peer AS", StringComparison.Ordinal) == true,
            RouteTimeout, "B to report Bad Peer AS");
        await Wait.UntilAsync(async () => (await pair.A.GetStatusAsync()).Peers[0].LastError?.Contains("NOTIFICATION received: NOTIFICATION OPEN Message Error / Bad Peer AS", StringComparison.Ordinal) == true,
            RouteTimeout, "A to report the NOTIFICATION it received", async () => System.Text.Json.JsonSerializer.Serialize(await pair.A.GetStatusAsync()));
        Assert.NotEqual(SessionState.Established, (await pair.A.GetStatusAsync()).Peers[0].State);
    }

    [Fact]
    public async Task Md5WithTheSamePasswordEstablishes()
    {
        await using var pair = await LoopbackSpeakers.StartAsync(65001, 65002, p => p with { Password = "s3cret" }, p => p with { Password = "s3cret" });
        await LoopbackSpeakers.WaitStateAsync(pair.A, SessionState.Established);
    }

    [Fact]
    public async Task Md5WithDifferentPasswordsNeverEstablishes()
    {
        await using var pair = await LoopbackSpeakers.StartAsync(65001, 65002, p => p with { Password = "one" }, p => p with { Password = "two" });
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.All((await pair.A.GetStatusAsync()).Peers, p => Assert.NotEqual(SessionState.Established, p.State));
        Assert.All((await pair.B.GetStatusAsync()).Peers, p => Assert.NotEqual(SessionState.Established, p.State));
    }

    [Fact]
    public async Task PolicyChangeReevaluatesWithoutRestartingTheSession()
    {
        await using var pair = await LoopbackSpeakers.StartAsync(65001, 65002);
        await LoopbackSpeakers.WaitStateAsync(pair.B, SessionState.Established);
        pair.A.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        pair.A.Originate(BgpPrefix.Parse("198.51.100.128/25"));
        await Wait.UntilAsync(async () => (await pair.B.GetRoutesAsync()).Count == 2, RouteTimeout, "B to learn both routes");

        var reject25 = new Tabby.Bgp.Policy.RoutePolicy([new Tabby.Bgp.Policy.PolicyRule(new Tabby.Bgp.Policy.PolicyMatch { Prefixes = [Tabby.Bgp.Policy.PrefixMatch.Parse("198.51.100.0/24 ge 25")] }, Tabby.Bgp.Policy.PolicyAction.Reject)],
            Tabby.Bgp.Policy.PolicyAction.Accept);
        int flapsBefore = (await pair.B.GetStatusAsync()).Peers[0].FlapCount;
        await pair.B.AddOrUpdatePeerAsync(LoopbackSpeakers.Peer(LoopbackSpeakers.AddressA, pair.PortA, 65001, LoopbackSpeakers.AddressB, null) with { ImportPolicy = reject25 });
        var route = await LoopbackSpeakers.RouteAsync(pair.B, "198.51.100.128/25");
        Assert.NotNull(route);
        Assert.False(route!.Paths[0].Accepted);
        Assert.Equal("no eligible path", route.Reason);
        var peer = (await pair.B.GetStatusAsync()).Peers[0];
        Assert.Equal(SessionState.Established, peer.State);
        Assert.Equal(flapsBefore, peer.FlapCount);
        Assert.Equal(2, peer.PrefixesReceived);
        Assert.Equal(1, peer.PrefixesAccepted);
    }

    [Fact]
    public async Task AnExportPolicyThatNowAdmitsARouteSendsItAtOnce()
    {
        // A originates while its export policy still rejects everything; the new policy alone
        // (nothing else changes afterwards) must carry the route to B.
        await using var pair = await LoopbackSpeakers.StartAsync(65001, 65002, peerOfA: p => p with { ExportPolicy = Tabby.Bgp.Policy.RoutePolicy.RejectAll });
        await LoopbackSpeakers.WaitStateAsync(pair.B, SessionState.Established);
        pair.A.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        await pair.A.InvokeAsync(() => { });
        Assert.Empty(await pair.B.GetRoutesAsync());

        await pair.A.AddOrUpdatePeerAsync(LoopbackSpeakers.Peer(LoopbackSpeakers.AddressB, pair.PortB, 65002, LoopbackSpeakers.AddressA, null));

        await Wait.UntilAsync(async () => (await pair.B.GetRoutesAsync()).Count == 1, RouteTimeout, "B to learn the route the new policy admits");
    }

    [Fact]
    public async Task MaxPrefixTearsDownWithCease()
    {
        await using var pair = await LoopbackSpeakers.StartAsync(65001, 65002, peerOfB: p => p with { MaxPrefixes = 2, MaxPrefixRestartTime = TimeSpan.FromSeconds(60) });
        await LoopbackSpeakers.WaitStateAsync(pair.B, SessionState.Established);
        for (int i = 0; i < 3; i++) pair.A.Originate(BgpPrefix.Parse($"198.18.{i}.0/24"));
        await Wait.UntilAsync(async () => (await pair.A.GetStatusAsync()).Peers[0].LastError?.Contains("Maximum Number of Prefixes Reached", StringComparison.Ordinal) == true,
            RouteTimeout, "A to receive Cease / Maximum Number of Prefixes Reached");
        var b = (await pair.B.GetStatusAsync()).Peers[0];
        Assert.Equal(SessionState.Idle, b.State);
        Assert.Empty(await pair.B.GetRoutesAsync());
    }

    [Fact]
    public async Task BestPathChangesArePublishedForTheKernel()
    {
        await using var pair = await LoopbackSpeakers.StartAsync(65001, 65002, optionsB: o => o with { PublishBestPathChanges = true });
        await LoopbackSpeakers.WaitStateAsync(pair.B, SessionState.Established);
        pair.A.Originate(BgpPrefix.Parse("198.51.100.0/24"));
        using var cts = new CancellationTokenSource(RouteTimeout);
        var change = await pair.B.BestPathChanges.ReadAsync(cts.Token);
        Assert.Equal("198.51.100.0/24", change.Prefix.ToString());
        var hop = Assert.Single(change.NextHops);
        Assert.Equal(IPAddress.Parse("127.0.0.1"), hop.Address);
        pair.A.Withdraw(BgpPrefix.Parse("198.51.100.0/24"));
        change = await pair.B.BestPathChanges.ReadAsync(cts.Token);
        Assert.True(change.Withdrawn);
    }

    [Fact]
    public async Task EndOfRibMarksTheInitialTableReceivedAndOnlyWhenThePeerCanSendIt()
    {
        await using var pair = await LoopbackSpeakers.StartAsync(65001, 65002, peerOfB: p => p with { GracefulRestart = false });
        await LoopbackSpeakers.WaitStateAsync(pair.A, SessionState.Established);
        await LoopbackSpeakers.WaitStateAsync(pair.B, SessionState.Established);

        // Both send End-of-RIB after their initial table (B too, although it does not announce
        // graceful restart): each knows the other's table is complete.
        foreach (var speaker in new[] { pair.A, pair.B })
        {
            await Wait.UntilAsync(async () => (await speaker.GetStatusAsync()).Peers[0].InitialTableReceived == true, RouteTimeout,
                "the peer's End-of-RIB", async () => System.Text.Json.JsonSerializer.Serialize(await speaker.GetStatusAsync()));
        }

        // A session that goes down forgets it: the next session's table has to arrive again.
        await pair.B.RemovePeerAsync(LoopbackSpeakers.AddressA);
        await Wait.UntilAsync(async () => (await pair.A.GetStatusAsync()).Peers[0].InitialTableReceived != true, RouteTimeout, "A to forget B's End-of-RIB");
    }
}
