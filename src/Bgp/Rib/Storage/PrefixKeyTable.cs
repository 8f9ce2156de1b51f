using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tabby.Bgp.Rib.Storage;

/// <summary>
/// Stable small integers for keys: an open-addressing hash (linear probing, a power-of-two array
/// of 4-byte slot numbers, so growth copies 4 bytes per key) over keys stored in chunks. An index
/// stays the same for as long as its key is in the table, so other tables (the Loc-RIB's paths,
/// each peer's Adj-RIB-Out) can be plain arrays indexed by it instead of dictionaries keyed by
/// the prefix. Freed indexes are reused. Not thread-safe.
/// </summary>
internal sealed class PrefixKeyTable<TKey>
    where TKey : struct, IEquatable<TKey>
{
    private const int MinBuckets = 1024;

    private readonly ChunkedArray<TKey> _keys = new();
    private readonly Stack<int> _free = new();
    private int[] _buckets = new int[MinBuckets]; // 0: empty, else index + 1
    private int _shift = 64 - BitOperations.Log2(MinBuckets);
    private int _highWater;

    /// <summary>Number of keys held.</summary>
    public int Count { get; private set; }

    /// <summary>Every index handed out so far is below this (some may be free).</summary>
    public int HighWater => _highWater;

    public TKey KeyAt(int index) => _keys.Get(index);

    /// <summary>Fibonacci hashing spreads keys that differ only in a few bits (consecutive addresses).</summary>
    private int Home(in TKey key) => (int)((ulong)(uint)key.GetHashCode() * 0x9E3779B97F4A7C15UL >> _shift);

    /// <summary>The index of <paramref name="key"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Find(in TKey key)
    {
        int mask = _buckets.Length - 1;
        for (int b = Home(key); ; b = (b + 1) & mask)
        {
            int slot = _buckets[b];
            if (slot == 0) return -1;
            if (_keys.Get(slot - 1).Equals(key)) return slot - 1;
        }
    }

    /// <summary>The index of <paramref name="key"/>, adding it when missing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int GetOrAdd(in TKey key, out bool added)
    {
        int mask = _buckets.Length - 1;
        int b = Home(key);
        for (; ; b = (b + 1) & mask)
        {
            int slot = _buckets[b];
            if (slot == 0) break;
            if (_keys.Get(slot - 1).Equals(key))
            {
                added = false;
                return slot - 1;
            }
        }

        added = true;
        int index = _free.Count > 0 ? _free.Pop() : _highWater++;
        _keys.At(index) = key;
        Count++;
        // Load factor at most 0.7: linear probing stays short.
        if (Count * 10L > _buckets.Length * 7L)
        {
            Grow();
            Place(index + 1, _buckets.Length - 1);
        }
        else
        {
            _buckets[b] = index + 1;
        }

        return index;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Grow()
    {
        var old = _buckets;
        _buckets = new int[old.Length * 2];
        _shift--;
        int mask = _buckets.Length - 1;
        foreach (int slot in old)
            if (slot != 0) Place(slot, mask);
    }

    private void Place(int slot, int mask)
    {
        int b = Home(_keys.Get(slot - 1));
        while (_buckets[b] != 0) b = (b + 1) & mask;
        _buckets[b] = slot;
    }

    /// <summary>Removes the key at <paramref name="index"/> and frees the index for reuse.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Remove(int index)
    {
        int mask = _buckets.Length - 1;
        var key = _keys.Get(index);
        int i = Home(key);
        while (_buckets[i] != index + 1)
        {
            if (_buckets[i] == 0) return; // not present
            i = (i + 1) & mask;
        }

        // Backward-shift deletion (no tombstones): move later members of the probe run into the
        // hole when their home position does not lie cyclically in (hole, their position].
        for (int j = (i + 1) & mask; _buckets[j] != 0; j = (j + 1) & mask)
        {
            int home = Home(_keys.Get(_buckets[j] - 1));
            bool stays = i <= j ? home > i && home <= j : home > i || home <= j;
            if (stays) continue;
            _buckets[i] = _buckets[j];
            i = j;
        }

        _buckets[i] = 0;
        _keys.At(index) = default;
        _free.Push(index);
        Count--;
    }

    public void Clear()
    {
        _keys.Clear();
        _free.Clear();
        _buckets = new int[MinBuckets];
        _shift = 64 - BitOperations.Log2(MinBuckets);
        _highWater = 0;
        Count = 0;
    }
}
