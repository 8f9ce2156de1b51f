using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tabby.Bgp.Rib.Storage;

/// <summary>
/// Stable small integers for keys: an open-addressing hash (linear probing over a power-of-two
/// array of 4-byte slot numbers) over a dense array of keys. An index stays the same for as long
/// as its key is in the table, so other tables (the Loc-RIB's paths, each peer's Adj-RIB-Out) can
/// be plain arrays indexed by it instead of dictionaries keyed by the prefix. Freed indexes are
/// reused. Not thread-safe.
///
/// Both arrays hold no references, so they live in native memory: a grown bucket array is
/// returned to the system at once instead of waiting as large-object garbage for a full GC, and
/// the key array grows in place (realloc) instead of being copied next to its old self - a
/// million-prefix table never holds two copies of itself.
/// </summary>
internal sealed unsafe class PrefixKeyTable<TKey>
    where TKey : unmanaged, IEquatable<TKey>
{
    private const int MinBuckets = 1024;
    private const int MinKeys = 256;

    private readonly Stack<int> _free = new();
    private int* _buckets; // 0: empty, else index + 1
    private int _bucketCount;
    private int _shift;
    private TKey* _keys;
    private int _keyCapacity;
    private int _highWater;

    public PrefixKeyTable() => Allocate();

    /// <summary>The table lives as long as its RIB; the native arrays go with it.</summary>
    ~PrefixKeyTable() => Free();

    /// <summary>Number of keys held.</summary>
    public int Count { get; private set; }

    /// <summary>Every index handed out so far is below this (some may be free).</summary>
    public int HighWater => _highWater;

    public TKey KeyAt(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_highWater, nameof(index));
        return _keys[index];
    }

    /// <summary>Fibonacci hashing spreads keys that differ only in a few bits (consecutive addresses).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(in TKey key) => (int)((ulong)(uint)key.GetHashCode() * 0x9E3779B97F4A7C15UL >> _shift);

    /// <summary>The index of <paramref name="key"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Find(in TKey key)
    {
        int mask = _bucketCount - 1;
        for (int b = Home(key); ; b = (b + 1) & mask)
        {
            int slot = _buckets[b];
            if (slot == 0) return -1;
            if (_keys[slot - 1].Equals(key)) return slot - 1;
        }
    }

    /// <summary>The index of <paramref name="key"/>, adding it when missing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int GetOrAdd(in TKey key, out bool added)
    {
        int mask = _bucketCount - 1;
        int b = Home(key);
        for (; ; b = (b + 1) & mask)
        {
            int slot = _buckets[b];
            if (slot == 0) break;
            if (_keys[slot - 1].Equals(key))
            {
                added = false;
                return slot - 1;
            }
        }

        added = true;
        int index;
        if (_free.Count > 0)
        {
            index = _free.Pop();
        }
        else
        {
            if (_highWater == _keyCapacity) GrowKeys();
            index = _highWater++;
        }

        _keys[index] = key;
        Count++;
        // Load factor at most 0.7: linear probing stays short.
        if (Count * 10L > _bucketCount * 7L)
        {
            GrowBuckets();
            Place(index + 1);
        }
        else
        {
            _buckets[b] = index + 1;
        }

        return index;
    }

    private void GrowKeys()
    {
        int capacity = checked(_keyCapacity * 2);
        _keys = (TKey*)NativeMemory.Realloc(_keys, (nuint)capacity * (nuint)sizeof(TKey));
        _keyCapacity = capacity;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void GrowBuckets()
    {
        var old = _buckets;
        int oldCount = _bucketCount;
        _bucketCount = checked(oldCount * 2);
        _buckets = (int*)NativeMemory.AllocZeroed((nuint)_bucketCount, sizeof(int));
        _shift--;
        for (int i = 0; i < oldCount; i++)
            if (old[i] != 0) Place(old[i]);
        NativeMemory.Free(old);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Place(int slot)
    {
        int mask = _bucketCount - 1;
        int b = Home(_keys[slot - 1]);
        while (_buckets[b] != 0) b = (b + 1) & mask;
        _buckets[b] = slot;
    }

    /// <summary>Removes the key at <paramref name="index"/> and frees the index for reuse.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Remove(int index)
    {
        if ((uint)index >= (uint)_highWater) return;
        int mask = _bucketCount - 1;
        int i = Home(_keys[index]);
        while (_buckets[i] != index + 1)
        {
            if (_buckets[i] == 0) return; // not present
            i = (i + 1) & mask;
        }

        // Backward-shift deletion (no tombstones): move later members of the probe run into the
        // hole when their home position does not lie cyclically in (hole, their position].
        for (int j = (i + 1) & mask; _buckets[j] != 0; j = (j + 1) & mask)
        {
            int home = Home(_keys[_buckets[j] - 1]);
            bool stays = i <= j ? home > i && home <= j : home > i || home <= j;
            if (stays) continue;
            _buckets[i] = _buckets[j];
            i = j;
        }

        _buckets[i] = 0;
        _keys[index] = default;
        _free.Push(index);
        Count--;
    }

    public void Clear()
    {
        Free();
        Allocate();
        _free.Clear();
        _highWater = 0;
        Count = 0;
    }

    private void Allocate()
    {
        _bucketCount = MinBuckets;
        _shift = 64 - BitOperations.Log2(MinBuckets);
        _buckets = (int*)NativeMemory.AllocZeroed(MinBuckets, sizeof(int));
        _keyCapacity = MinKeys;
        _keys = (TKey*)NativeMemory.Alloc(MinKeys, (nuint)sizeof(TKey));
    }

    private void Free()
    {
        NativeMemory.Free(_buckets);
        NativeMemory.Free(_keys);
        _buckets = null;
        _keys = null;
    }
}
