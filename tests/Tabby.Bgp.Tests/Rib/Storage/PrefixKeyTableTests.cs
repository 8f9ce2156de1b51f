using Tabby.Bgp.Rib.Storage;

namespace Tabby.Bgp.Tests.Rib.Storage;

public sealed class PrefixKeyTableTests
{
    [Fact]
    public void IndexesAreStableAcrossGrowthAndFreedIndexesAreReused()
    {
        var table = new PrefixKeyTable<ulong>();
        var indexes = new Dictionary<ulong, int>();
        for (ulong k = 0; k < 5000; k++)
        {
            indexes[k * 256 + 32] = table.GetOrAdd(k * 256 + 32, out bool added);
            Assert.True(added);
        }

        Assert.Equal(5000, table.Count);
        foreach (var (key, index) in indexes)
        {
            Assert.Equal(index, table.Find(key));
            Assert.Equal(key, table.KeyAt(index));
            Assert.Equal(index, table.GetOrAdd(key, out bool added));
            Assert.False(added);
        }

        int freed = indexes[256 + 32];
        table.Remove(freed);
        Assert.Equal(-1, table.Find(256 + 32));
        Assert.Equal(freed, table.GetOrAdd(999_999, out _));
        Assert.Equal(5000, table.HighWater);
    }

    [Fact]
    public void RemovingFromProbeRunsKeepsEveryOtherKeyFindable()
    {
        // Random adds and removes against a dictionary: backward-shift deletion must never lose a key.
        var table = new PrefixKeyTable<ulong>();
        var expected = new Dictionary<ulong, int>();
        var random = new Random(7);
        for (int step = 0; step < 200_000; step++)
        {
            ulong key = (ulong)random.Next(0, 3000);
            if (random.Next(3) == 0 && expected.Remove(key, out int index))
            {
                table.Remove(index);
            }
            else if (!expected.ContainsKey(key))
            {
                expected[key] = table.GetOrAdd(key, out bool added);
                Assert.True(added);
            }
        }

        Assert.Equal(expected.Count, table.Count);
        foreach (var (key, index) in expected) Assert.Equal(index, table.Find(key));
        for (ulong key = 0; key < 3000; key++)
            if (!expected.ContainsKey(key)) Assert.Equal(-1, table.Find(key));
    }
}
