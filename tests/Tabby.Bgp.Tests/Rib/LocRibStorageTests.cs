using Tabby.Bgp.Rib;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Nlri;
using static Tabby.Bgp.Tests.Rib.RibFixtures;

namespace Tabby.Bgp.Tests.Rib;

/// <summary>
/// The Loc-RIB stores a single unchanged path inline and everything else as a path list; these
/// check that the two forms behave the same and that prefixes move between them correctly.
/// </summary>
public sealed class LocRibStorageTests
{
    private static readonly BgpPrefix Prefix = BgpPrefix.Parse("198.51.100.0/24");

    private static LocRib NewRib() => new(new DecisionProcess(new DecisionOptions { Multipath = true })) { TrackChanges = true };

    [Fact]
    public void SinglePathRoundTripsWithFlagsAndRejection()
    {
        var rib = NewRib();
        var peer = Peer("192.0.2.1", 65002);
        var a = Attributes();
        Assert.Equal(RibChange.BestChanged, rib.Upsert(Prefix, new RibPath(peer, a, a), out _));
        Assert.True(rib.TryGet(Prefix, out var entry));
        Assert.Equal(1, entry.Count);
        Assert.Equal(0, entry.BestIndex);
        Assert.Equal(BestPathReason.OnlyPath, entry.Reason);
        Assert.Same(peer, entry.Best.Source);
        Assert.Same(a, entry.Best.Received);
        Assert.Same(a, entry.Best.Accepted);

        Assert.Equal(1, rib.SetFlags(peer, AfiSafi.Ipv4Unicast, PathFlags.Stale));
        Assert.True(rib.TryGet(Prefix, out entry));
        Assert.True(entry.Best.IsStale);
        Assert.Equal(0, rib.SetFlags(peer, AfiSafi.Ipv6Unicast, PathFlags.None));

        // Rejected by import policy: stored, not eligible, no best.
        var other = BgpPrefix.Parse("203.0.113.0/24");
        Assert.Equal(RibChange.None, rib.Upsert(other, new RibPath(peer, a, null), out _));
        Assert.True(rib.TryGet(other, out entry));
        Assert.False(entry.HasBest);
        Assert.Equal(-1, entry.BestIndex);
        Assert.False(entry.PathAt(0).IsEligible);
        Assert.Equal(2, rib.PrefixCount);
        Assert.Equal(2, rib.PathCount);
    }

    [Fact]
    public void PrefixMovesBetweenInlineAndListFormsWithoutLosingPaths()
    {
        var rib = NewRib();
        var p1 = Peer("192.0.2.1", 65002);
        var p2 = Peer("192.0.2.2", 65003);
        var a = Attributes(path: [65002]);
        var b = Attributes(nextHop: "192.0.2.2", path: [65003, 65004]);
        rib.Upsert(Prefix, Path(p1, a));
        rib.Upsert(Prefix, Path(p2, b));
        Assert.True(rib.TryGet(Prefix, out var entry));
        Assert.Equal(2, entry.Count);
        Assert.Same(p1, entry.Best.Source);
        Assert.Equal(BestPathReason.AsPathLength, entry.Reason);

        // Back to one path: the other peer's path is the only one left.
        var change = rib.Remove(Prefix, p1, 0, out var removed);
        Assert.True(change.HasFlag(RibChange.BestChanged));
        Assert.Same(a, removed.Accepted);
        Assert.True(rib.TryGet(Prefix, out entry));
        Assert.Equal(1, entry.Count);
        Assert.Same(p2, entry.Best.Source);
        Assert.Equal(BestPathReason.OnlyPath, entry.Reason);

        // A path rewritten by policy (accepted differs from received) and an ADD-PATH id keep the list form.
        var rewritten = Attributes(path: [65002], localPref: 300);
        rib.Upsert(Prefix, new RibPath(p1, a, rewritten, 7));
        Assert.True(rib.TryGet(Prefix, out entry));
        Assert.Equal(2, entry.Count);
        Assert.Same(rewritten, entry.Best.Accepted);
        Assert.Equal(7u, entry.Best.PathId);
        Assert.Equal(2, rib.PathCount);
        Assert.Equal(1, rib.PrefixCount);
    }

    [Fact]
    public void RemovedPrefixKeepsItsHandleUntilReleasedAndChangesAreListedOnce()
    {
        var rib = NewRib();
        var peer = Peer("192.0.2.1", 65002);
        var a = Attributes();
        var b = Attributes(med: 5);
        rib.Upsert(Prefix, Path(peer, a));
        rib.Upsert(Prefix, Path(peer, b));
        Assert.Single(rib.ChangedHandles);
        Assert.True(rib.Index.TryFind(Prefix, out int handle));
        Assert.Equal(handle, rib.ChangedHandles[0]);
        rib.ClearChanged();

        Assert.True(rib.Remove(Prefix, peer, 0));
        Assert.False(rib.TryGet(Prefix, out _));
        Assert.Equal(0, rib.PrefixCount);
        // Not exported yet: the handle stays so the withdrawal can be sent by it.
        rib.ReleaseEmpty();
        Assert.True(rib.Index.TryFind(Prefix, out int still));
        Assert.Equal(handle, still);
        Assert.Equal(Prefix, rib.Index.PrefixOf(rib.ChangedHandles.Single()));
        rib.ClearChanged();
        rib.ReleaseEmpty();
        Assert.False(rib.Index.TryFind(Prefix, out _));
    }

    [Fact]
    public void RemoveWhereAndReimportOnlyTouchTheSourcesPaths()
    {
        var rib = NewRib();
        var p1 = Peer("192.0.2.1", 65002);
        var p2 = Peer("192.0.2.2", 65003);
        var a = Attributes();
        for (uint i = 0; i < 100; i++)
        {
            var prefix = BgpPrefix.FromIpv4(0xC6336400u + i, 32);
            rib.Upsert(prefix, Path(i % 2 == 0 ? p1 : p2, a));
        }

        var rejected = new List<BgpPrefix>();
        rib.Reimport(p2, (_, _) => null, rejected.Add);
        Assert.Equal(50, rejected.Count);
        Assert.Equal(100, rib.PrefixCount);
        Assert.Equal(50, rib.Entries.Count(e => e.Value.HasBest));

        var gone = new List<BgpPrefix>();
        Assert.Equal(50, rib.RemoveWhere(p1, null, gone.Add));
        Assert.Equal(50, gone.Count);
        Assert.Equal(50, rib.PrefixCount);
        Assert.All(rib.Entries, e => Assert.Same(p2, e.Value.PathAt(0).Source));
    }

    [Fact]
    public void Ipv6PrefixesUseTheSameStorage()
    {
        var rib = NewRib();
        var peer = Peer("192.0.2.1", 65002);
        var a = Attributes();
        var v6 = BgpPrefix.Parse("2001:db8:1::/48");
        rib.Upsert(v6, Path(peer, a));
        rib.Upsert(Prefix, Path(peer, a));
        Assert.True(rib.TryGet(v6, out var entry));
        Assert.Same(peer, entry.Best.Source);
        Assert.Equal([Prefix, v6], rib.Entries.Select(e => e.Key).Order(Comparer<BgpPrefix>.Create((x, y) => x.Afi.CompareTo(y.Afi))).ToArray());
        Assert.Equal(1, rib.SetFlags(peer, AfiSafi.Ipv6Unicast, PathFlags.Stale));
    }
}
