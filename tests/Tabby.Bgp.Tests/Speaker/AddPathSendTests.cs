using System.Net;
using Tabby.Bgp.Fsm;
using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Testing;
using Tabby.Testing.Daemons;

namespace Tabby.Bgp.Tests.Speaker;

/// <summary>
/// ADD-PATH send (RFC 7911) between Tabby speakers over loopback: two origins X1 and X2 announce
/// the same prefix to M, M sends both paths to R under distinct path identifiers that stay the
/// same when the best path changes, and withdraws one by its identifier.
/// </summary>
public sealed class AddPathSendTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private static readonly IPAddress X1 = IPAddress.Parse("127.0.0.11");
    private static readonly IPAddress X2 = IPAddress.Parse("127.0.0.12");
    private static readonly IPAddress M = IPAddress.Parse("127.0.0.13");
    private static readonly IPAddress R = IPAddress.Parse("127.0.0.14");
    private const string Prefix = "198.51.100.0/24";

    private sealed class Topology : IAsyncDisposable
    {
        public required BgpSpeaker X1 { get; init; }

        public required BgpSpeaker X2 { get; init; }

        public required BgpSpeaker M { get; init; }

        public required BgpSpeaker R { get; init; }

        public async ValueTask DisposeAsync()
        {
            foreach (var s in new[] { R, M, X1, X2 }) await s.StopAsync();
        }
    }

    private static async Task<Topology> StartAsync(int sendPaths, bool receiverAcceptsAddPath = true)
    {
        int px1 = FreePort.Next(), px2 = FreePort.Next(), pm = FreePort.Next(), pr = FreePort.Next();
        BgpSpeaker Speaker(uint asn, IPAddress address, int port) => new(new BgpSpeakerOptions
        {
            LocalAs = asn,
            RouterId = address,
            ListenEndpoints = [new IPEndPoint(address, port)],
        });
        var x1 = Speaker(65011, X1, px1);
        var x2 = Speaker(65012, X2, px2);
        var m = Speaker(65013, M, pm);
        var r = Speaker(65014, R, pr);
        await x1.AddOrUpdatePeerAsync(LoopbackSpeakers.Peer(M, pm, 65013, X1, null));
        await x2.AddOrUpdatePeerAsync(LoopbackSpeakers.Peer(M, pm, 65013, X2, null));
        await m.AddOrUpdatePeerAsync(LoopbackSpeakers.Peer(X1, px1, 65011, M, null));
        await m.AddOrUpdatePeerAsync(LoopbackSpeakers.Peer(X2, px2, 65012, M, null));
        await m.AddOrUpdatePeerAsync(LoopbackSpeakers.Peer(R, pr, 65014, M, p => p with { AddPathSend = true, AddPathSendMaxPaths = sendPaths }));
        await r.AddOrUpdatePeerAsync(LoopbackSpeakers.Peer(M, pm, 65013, R, p => p with { AddPathReceive = receiverAcceptsAddPath }));
        foreach (var s in new[] { x1, x2, m, r }) await s.StartAsync();
        var t = new Topology { X1 = x1, X2 = x2, M = m, R = r };
        foreach (var s in new[] { x1, x2, m, r }) await LoopbackSpeakers.WaitStateAsync(s, SessionState.Established, Timeout);
        return t;
    }

    private static async Task<IReadOnlyList<PathStatus>> PathsAtRAsync(Topology t) =>
        (await LoopbackSpeakers.RouteAsync(t.R, Prefix))?.Paths ?? [];

    [Fact]
    public async Task BothPathsArriveWithStableIdentifiersAndOneIsWithdrawnByItsIdentifier()
    {
        await using var t = await StartAsync(sendPaths: 0);
        // Two paths at M for one prefix (which one is best does not matter here).
        t.X1.Originate(BgpPrefix.Parse(Prefix));
        t.X2.Originate(BgpPrefix.Parse(Prefix), new RouteAttributes { Med = 1 });
        await Wait.UntilAsync(async () => (await PathsAtRAsync(t)).Count == 2, Timeout, "R to hold both paths from M");
        var paths = await PathsAtRAsync(t);
        Assert.All(paths, p => Assert.StartsWith("65013 ", p.AsPath, StringComparison.Ordinal));
        var viaX1 = paths.Single(p => p.AsPath == "65013 65011");
        var viaX2 = paths.Single(p => p.AsPath == "65013 65012");
        Assert.NotEqual(viaX1.PathId, viaX2.PathId);
        Assert.NotEqual(0u, viaX1.PathId);
        Assert.NotEqual(0u, viaX2.PathId);
        Assert.Equal(1, (await t.M.GetStatusAsync()).Peers.Single(p => p.Address == R.ToString()).PrefixesAdvertised);

        // X1 withdraws: only X2's path is left at R, under the identifier it had.
        t.X1.Withdraw(BgpPrefix.Parse(Prefix));
        await Wait.UntilAsync(async () => (await PathsAtRAsync(t)).Count == 1, Timeout, "R to drop the withdrawn path");
        var left = Assert.Single(await PathsAtRAsync(t));
        Assert.Equal("65013 65012", left.AsPath);
        Assert.Equal(viaX2.PathId, left.PathId);

        // X1 comes back: its path is announced again with its old identifier; X2's is untouched.
        t.X1.Originate(BgpPrefix.Parse(Prefix));
        await Wait.UntilAsync(async () => (await PathsAtRAsync(t)).Count == 2, Timeout, "R to learn the path again");
        paths = await PathsAtRAsync(t);
        Assert.Equal(viaX1.PathId, paths.Single(p => p.AsPath == "65013 65011").PathId);
        Assert.Equal(viaX2.PathId, paths.Single(p => p.AsPath == "65013 65012").PathId);

        // Everything gone: R has nothing left.
        t.X1.Withdraw(BgpPrefix.Parse(Prefix));
        t.X2.Withdraw(BgpPrefix.Parse(Prefix));
        await Wait.UntilAsync(async () => (await PathsAtRAsync(t)).Count == 0, Timeout, "R to drop the prefix");
    }

    [Fact]
    public async Task BestOneSendsOnlyTheBestPathAndFollowsBestPathChanges()
    {
        await using var t = await StartAsync(sendPaths: 1);
        t.X1.Originate(BgpPrefix.Parse(Prefix));
        await Wait.UntilAsync(async () => (await PathsAtRAsync(t)).Count == 1, Timeout, "R to learn X1's path");
        t.X2.Originate(BgpPrefix.Parse(Prefix));
        // Equal AS path lengths: M's tie-break (lowest router id, X1 = 127.0.0.11) keeps X1's path best.
        await Wait.UntilAsync(async () => (await LoopbackSpeakers.RouteAsync(t.M, Prefix))?.Paths.Count == 2, Timeout, "M to hold both paths");
        await Task.Delay(500);
        var only = Assert.Single(await PathsAtRAsync(t));
        Assert.Equal("65013 65011", only.AsPath);

        // The best path goes: the other one replaces it at R.
        t.X1.Withdraw(BgpPrefix.Parse(Prefix));
        await Wait.UntilAsync(async () => (await PathsAtRAsync(t)).SingleOrDefault()?.AsPath == "65013 65012", Timeout, "R to switch to X2's path");
    }

    [Fact]
    public async Task WithoutAddPathAtTheReceiverOnlyTheBestPathIsSent()
    {
        await using var t = await StartAsync(sendPaths: 0, receiverAcceptsAddPath: false);
        t.X1.Originate(BgpPrefix.Parse(Prefix));
        t.X2.Originate(BgpPrefix.Parse(Prefix));
        await Wait.UntilAsync(async () => (await LoopbackSpeakers.RouteAsync(t.M, Prefix))?.Paths.Count == 2, Timeout, "M to hold both paths");
        await Wait.UntilAsync(async () => (await PathsAtRAsync(t)).Count == 1, Timeout, "R to learn the best path");
        await Task.Delay(500);
        var only = Assert.Single(await PathsAtRAsync(t));
        Assert.Equal(0u, only.PathId);
    }
}
