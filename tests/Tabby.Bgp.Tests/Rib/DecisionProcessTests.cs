using Tabby.Bgp.Rib;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;
using static Tabby.Bgp.Tests.Rib.RibFixtures;

namespace Tabby.Bgp.Tests.Rib;

/// <summary>Each step of RFC 4271 section 9.1.2.2 decides, and is recorded as the reason.</summary>
public sealed class DecisionProcessTests
{
    private static readonly BgpPrefix Prefix = BgpPrefix.Parse("198.51.100.0/24");

    private static (PrefixEntry Entry, LocRib Rib) Decide(DecisionOptions? options, params RibPath[] paths)
    {
        var rib = new LocRib(new DecisionProcess(options ?? new DecisionOptions { Multipath = false }));
        foreach (var p in paths) rib.Upsert(Prefix, p);
        Assert.True(rib.TryGet(Prefix, out var entry));
        return (entry, rib);
    }

    private static void AssertWinner(RibPath expected, BestPathReason reason, params RibPath[] paths)
    {
        // The order of arrival must not matter.
        foreach (var order in new[] { paths, paths.Reverse().ToArray() })
        {
            var (entry, _) = Decide(null, order);
            Assert.Same(expected.Source, entry.Best.Source);
            Assert.Same(expected.Accepted, entry.Best.Accepted);
            Assert.Equal(reason, entry.Reason);
        }
    }

    [Fact]
    public void SinglePathIsOnlyPath()
    {
        var p = Path(Peer("192.0.2.1", 65002), Attributes());
        AssertWinner(p, BestPathReason.OnlyPath, p);
    }

    [Fact]
    public void HigherLocalPreferenceWins()
    {
        var a = Path(Peer("192.0.2.1", 65000, true), Attributes(localPref: 200, path: [65002, 65003, 65004]));
        var b = Path(Peer("192.0.2.2", 65000, true), Attributes(localPref: 100));
        AssertWinner(a, BestPathReason.LocalPreference, a, b);
    }

    [Fact]
    public void ShorterAsPathWins()
    {
        var a = Path(Peer("192.0.2.1", 65002), Attributes(path: [65002]));
        var b = Path(Peer("192.0.2.2", 65003), Attributes(path: [65003, 65004]));
        AssertWinner(a, BestPathReason.AsPathLength, a, b);
    }

    [Fact]
    public void LowerOriginWins()
    {
        var a = Path(Peer("192.0.2.1", 65002), Attributes(path: [65002], origin: Origin.Egp));
        var b = Path(Peer("192.0.2.2", 65003), Attributes(path: [65003], origin: Origin.Incomplete));
        AssertWinner(a, BestPathReason.Origin, a, b);
    }

    [Fact]
    public void LowerMedWinsOnlyWithinTheSameNeighbourAs()
    {
        var a = Path(Peer("192.0.2.9", 65002), Attributes(path: [65002], med: 10));
        var b = Path(Peer("192.0.2.2", 65002), Attributes(path: [65002], med: 20));
        AssertWinner(a, BestPathReason.MultiExitDiscriminator, a, b);

        // Different neighbour ASes: MED is skipped, the peer address decides.
        var c = Path(Peer("192.0.2.9", 65002), Attributes(path: [65002], med: 10));
        var d = Path(Peer("192.0.2.2", 65003), Attributes(path: [65003], med: 20));
        var (entry, _) = Decide(null, c, d);
        Assert.Same(d.Source, entry.Best.Source);
        Assert.Equal(BestPathReason.RouterId, entry.Reason);

        // ... unless MED is always compared.
        (entry, _) = Decide(new DecisionOptions { AlwaysCompareMed = true, Multipath = false }, c, d);
        Assert.Same(c.Source, entry.Best.Source);
        Assert.Equal(BestPathReason.MultiExitDiscriminator, entry.Reason);
    }

    [Fact]
    public void EbgpBeatsIbgp()
    {
        var a = Path(Peer("192.0.2.9", 65002), Attributes(path: [65002]));
        var b = Path(Peer("192.0.2.2", 65000, true), Attributes(path: [65002]));
        AssertWinner(a, BestPathReason.ExternalOverInternal, a, b);
    }

    [Fact]
    public void IgpCostHookDecides()
    {
        var a = Path(Peer("192.0.2.9", 65000, true), Attributes(nextHop: "198.18.0.1"));
        var b = Path(Peer("192.0.2.2", 65000, true), Attributes(nextHop: "198.18.0.2"));
        var options = new DecisionOptions { Multipath = false, IgpCost = nh => nh.ToString() == "198.18.0.1" ? 5u : 10u };
        var (entry, _) = Decide(options, a, b);
        Assert.Same(a.Source, entry.Best.Source);
        Assert.Equal(BestPathReason.IgpCost, entry.Reason);
    }

    [Fact]
    public void OriginatorIdStandsInForRouterId()
    {
        var a = Path(Peer("192.0.2.9", 65000, true, routerId: 9), Attributes(originatorId: 1));
        var b = Path(Peer("192.0.2.2", 65000, true, routerId: 2), Attributes(originatorId: 5));
        AssertWinner(a, BestPathReason.RouterId, a, b);
    }

    [Fact]
    public void ShorterClusterListWins()
    {
        var a = Path(Peer("192.0.2.9", 65000, true, routerId: 9), Attributes(originatorId: 1, clusterList: [1]));
        var b = Path(Peer("192.0.2.2", 65000, true, routerId: 2), Attributes(originatorId: 1, clusterList: [1, 2]));
        AssertWinner(a, BestPathReason.ClusterListLength, a, b);
    }

    [Fact]
    public void LowerPeerAddressBreaksTheLastTie()
    {
        var a = Path(Peer("192.0.2.1", 65000, true, routerId: 7), Attributes());
        var b = Path(Peer("192.0.2.2", 65000, true, routerId: 7), Attributes());
        AssertWinner(a, BestPathReason.PeerAddress, a, b);
    }

    [Fact]
    public void LocallyOriginatedWinsFirst()
    {
        var local = RibPeer.Local(65000, 1);
        var l = Path(local, Attributes(path: [65009, 65009, 65009]));
        var b = Path(Peer("192.0.2.2", 65000, true), Attributes(localPref: 500));
        AssertWinner(l, BestPathReason.LocallyOriginated, l, b);
    }

    [Fact]
    public void RejectedPathsNeverWin()
    {
        var a = Path(Peer("192.0.2.1", 65002), Attributes());
        var rejected = new RibPath(Peer("192.0.2.2", 65002), Attributes(localPref: 900), null);
        var (entry, _) = Decide(null, a, rejected);
        Assert.Same(a.Source, entry.Best.Source);
        Assert.Equal(BestPathReason.OnlyPath, entry.Reason);
    }

    [Fact]
    public void EqualPathsFromTheSameNeighbourAsFormAnEcmpSet()
    {
        var a = Path(Peer("192.0.2.1", 65002), Attributes(nextHop: "192.0.2.1"));
        var b = Path(Peer("192.0.2.2", 65002), Attributes(nextHop: "192.0.2.2"));
        var c = Path(Peer("192.0.2.3", 65003), Attributes(nextHop: "192.0.2.3", path: [65003]));
        var d = Path(Peer("192.0.2.4", 65002), Attributes(nextHop: "192.0.2.4", path: [65002, 65005]));
        var (entry, _) = Decide(new DecisionOptions(), a, b, c, d);
        var set = entry.MultipathSet().Select(p => p.Source.Name).OrderBy(x => x).ToList();
        Assert.Equal(["192.0.2.1", "192.0.2.2"], set);

        (entry, _) = Decide(new DecisionOptions { MultipathRelaxAsPath = true }, a, b, c, d);
        Assert.Equal(3, entry.MultipathSet().Count());
    }

    [Fact]
    public void UpsertAndRemoveReportBestPathChanges()
    {
        var rib = new LocRib(new DecisionProcess(new DecisionOptions()));
        var peer = Peer("192.0.2.1", 65002);
        var a = Attributes();
        Assert.True(rib.Upsert(Prefix, Path(peer, a)));
        Assert.False(rib.Upsert(Prefix, Path(peer, a)));
        Assert.True(rib.Upsert(Prefix, Path(peer, Attributes(med: 5))));
        var change = rib.Remove(Prefix, peer, 0, out _);
        Assert.True(change.HasFlag(RibChange.BestChanged));
        Assert.Equal(0, rib.PrefixCount);
        Assert.Equal(0, rib.PathCount);
    }

    [Fact]
    public void StaleFlagsAndSweep()
    {
        var rib = new LocRib(new DecisionProcess(new DecisionOptions()));
        var peer = Peer("192.0.2.1", 65002);
        for (int i = 0; i < 10; i++) rib.Upsert(BgpPrefix.FromIpv4(0xC6120000u + ((uint)i << 8), 24), Path(peer, Attributes()));
        Assert.Equal(10, rib.SetFlags(peer, null, PathFlags.Stale));
        // Re-announced routes lose the stale mark.
        rib.Upsert(BgpPrefix.FromIpv4(0xC6120000u, 24), Path(peer, Attributes()));
        int changed = 0;
        Assert.Equal(9, rib.RemoveWhere(peer, (_, p) => p.IsStale, _ => changed++));
        Assert.Equal(9, changed);
        Assert.Equal(1, rib.PrefixCount);
    }
}
