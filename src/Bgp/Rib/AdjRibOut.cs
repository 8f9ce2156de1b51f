using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tabby.Bgp.Rib.Storage;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Messages;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Rib;

/// <summary>
/// What we advertised to one peer, plus the changes not yet sent. Changes are coalesced per
/// prefix (the last one wins) and sent packed: one run of UPDATEs per attribute set (the attribute
/// block is encoded once and shared by as many prefixes as fit, as BIRD's buckets do).
///
/// Storage: the advertised set of each prefix in a chunked array indexed by the prefix's handle
/// in the Loc-RIB's <see cref="PrefixIndex"/> (8 bytes per prefix, chunks allocated only where
/// the peer gets something), not a dictionary keyed by the prefix. A standalone instance (tests,
/// tools) keeps an index of its own.
///
/// With ADD-PATH send (RFC 7911) a prefix may carry several paths, each under its own path
/// identifier: <see cref="SetPaths(BgpPrefix, IReadOnlyList{AdvertisedPath})"/> records the full set the peer should have, and the flush
/// announces new or changed identifiers and withdraws vanished ones by identifier.
/// </summary>
public sealed class AdjRibOut
{
    private readonly PrefixIndex _index;
    private readonly bool _ownsIndex;
    private readonly HandleArray<PathAttributes?> _advertised = new();
    private readonly Dictionary<int, PathAttributes?> _pending = [];
    private readonly List<NlriEntry> _withdraw4 = [];
    private readonly List<NlriEntry> _withdraw6 = [];
    private readonly Dictionary<(PathAttributes Attributes, Afi Afi), List<NlriEntry>> _announce = [];
    private const int MaxSpareLists = 16;
    private readonly Stack<List<NlriEntry>> _spareLists = new();
    private readonly Dictionary<int, AdvertisedPath[]> _advertisedPaths = [];
    private readonly Dictionary<int, AdvertisedPath[]> _pendingPaths = [];

    public AdjRibOut()
        : this(new PrefixIndex(), ownsIndex: true)
    {
    }

    /// <summary>An Adj-RIB-Out indexed like <paramref name="rib"/> (its prefixes keep their handles while we may refer to them, see <see cref="LocRib.ReleaseEmpty"/>).</summary>
    public AdjRibOut(LocRib rib)
        : this((rib ?? throw new ArgumentNullException(nameof(rib))).Index, ownsIndex: false)
    {
    }

    private AdjRibOut(PrefixIndex index, bool ownsIndex)
    {
        _index = index;
        _ownsIndex = ownsIndex;
    }

    public int Count { get; private set; }

    public int PendingCount => _pending.Count + _pendingPaths.Count;

    public IEnumerable<KeyValuePair<BgpPrefix, PathAttributes>> Advertised
    {
        get
        {
            for (int i = 0; i < _index.Ipv4.HighWater; i++)
                if (_advertised.Get(i) is { } a) yield return new(_index.PrefixOf(i), a);
            for (int i = 0; i < _index.Ipv6.HighWater; i++)
                if (_advertised.Get(~i) is { } a) yield return new(_index.PrefixOf(~i), a);
            foreach (var (handle, paths) in _advertisedPaths) yield return new(_index.PrefixOf(handle), paths[0].Attributes);
        }
    }

    /// <summary>The paths advertised for <paramref name="prefix"/> with ADD-PATH, by path identifier (empty without).</summary>
    public IReadOnlyList<AdvertisedPath> AdvertisedPaths(BgpPrefix prefix) =>
        _index.TryFind(prefix, out int handle) && _advertisedPaths.TryGetValue(handle, out var paths) ? paths : [];

    public bool TryGetAdvertised(BgpPrefix prefix, out PathAttributes attributes)
    {
        attributes = null!;
        if (!_index.TryFind(prefix, out int handle)) return false;
        if (_advertisedPaths.TryGetValue(handle, out var paths))
        {
            attributes = paths[0].Attributes;
            return true;
        }

        if (_advertised.Get(handle) is not { } a) return false;
        attributes = a;
        return true;
    }

    /// <summary>Records what the peer should have for <paramref name="prefix"/> (null: nothing).</summary>
    public void Set(BgpPrefix prefix, PathAttributes? attributes)
    {
        // Peers that get nothing (export policy rejects all) cost no lookups.
        if (attributes is null && Count == 0 && _pending.Count == 0) return;
        int handle;
        if (attributes is null)
        {
            if (!_index.TryFind(prefix, out handle)) return;
        }
        else
        {
            handle = _index.GetOrAdd(prefix, out _);
        }

        Set(handle, attributes);
    }

    /// <summary>Like <see cref="Set(BgpPrefix, PathAttributes?)"/> for a prefix known by its handle.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Set(int handle, PathAttributes? attributes)
    {
        if (attributes is null && Count == 0 && PendingCount == 0) return;
        if (attributes is null && (_advertisedPaths.ContainsKey(handle) || _pendingPaths.ContainsKey(handle)))
        {
            // Advertised with ADD-PATH: nothing any more means withdrawing every identifier.
            SetPaths(handle, []);
            return;
        }

        var current = _advertised.Get(handle);
        if (ReferenceEquals(current, attributes) || (current is not null && current.Equals(attributes)))
        {
            _pending.Remove(handle);
            return;
        }

        _pending[handle] = attributes;
    }

    /// <summary>
    /// ADD-PATH send: records every path the peer should have for <paramref name="prefix"/> (path
    /// identifier and attributes; identifiers unique, empty: nothing).
    /// </summary>
    public void SetPaths(BgpPrefix prefix, IReadOnlyList<AdvertisedPath> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        int handle;
        if (paths.Count == 0)
        {
            if (!_index.TryFind(prefix, out handle)) return;
        }
        else
        {
            handle = _index.GetOrAdd(prefix, out _);
        }

        SetPaths(handle, paths);
    }

    /// <summary>Like <see cref="SetPaths(BgpPrefix, IReadOnlyList{AdvertisedPath})"/> for a prefix known by its handle.</summary>
    internal void SetPaths(int handle, IReadOnlyList<AdvertisedPath> paths)
    {
        if (_advertisedPaths.TryGetValue(handle, out var current) ? SamePaths(current, paths) : paths.Count == 0)
        {
            _pendingPaths.Remove(handle);
            return;
        }

        var desired = new AdvertisedPath[paths.Count];
        for (int i = 0; i < desired.Length; i++)
        {
            desired[i] = paths[i];
            for (int j = 0; j < i; j++)
                if (desired[j].PathId == desired[i].PathId) throw new ArgumentException($"path identifier {desired[i].PathId} appears twice", nameof(paths));
        }

        _pendingPaths[handle] = desired;
    }

    private static bool SamePaths(AdvertisedPath[] current, IReadOnlyList<AdvertisedPath> desired)
    {
        if (current.Length != desired.Count) return false;
        foreach (var d in desired)
            if (Find(current, d.PathId) is not { } c || !SameAttributes(c, d.Attributes)) return false;
        return true;
    }

    private static PathAttributes? Find(AdvertisedPath[]? paths, uint pathId)
    {
        if (paths is null) return null;
        foreach (var p in paths)
            if (p.PathId == pathId) return p.Attributes;
        return null;
    }

    private static bool SameAttributes(PathAttributes a, PathAttributes b) => ReferenceEquals(a, b) || a.Equals(b);

    /// <summary>Queues everything advertised in <paramref name="afi"/> again (answer to a route refresh, RFC 2918 section 4).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ResendAll(Afi afi)
    {
        int high = afi == Afi.Ipv4 ? _index.Ipv4.HighWater : _index.Ipv6.HighWater;
        for (int i = 0; i < high; i++)
        {
            int handle = afi == Afi.Ipv4 ? i : ~i;
            ref var slot = ref _advertised.At(handle);
            if (slot is null) continue;
            _pending[handle] = slot;
            slot = null;
            Count--;
        }

        foreach (var (handle, paths) in _advertisedPaths.Where(kv => PrefixIndex.AfiOf(kv.Key) == afi).ToList())
        {
            _advertisedPaths.Remove(handle);
            _pendingPaths[handle] = paths;
            Count--;
        }
    }

    /// <summary>Forgets everything (the session went down).</summary>
    public void Clear()
    {
        _advertised.Clear();
        _pending.Clear();
        _advertisedPaths.Clear();
        _pendingPaths.Clear();
        Count = 0;
        if (_ownsIndex) _index.Clear();
    }

    /// <summary>
    /// Encodes the pending changes into <paramref name="output"/>: withdrawals first, then one packed
    /// run per attribute set. Returns the number of messages written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Flush(System.Buffers.IBufferWriter<byte> output, BgpSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        if (PendingCount == 0) return 0;
        var builder = new UpdateBuilder(options);
        uint pathId4 = options.HasPathId(AfiSafi.Ipv4Unicast) ? 1u : 0u;
        uint pathId6 = options.HasPathId(AfiSafi.Ipv6Unicast) ? 1u : 0u;
        // Consecutive prefixes usually share an attribute set: skip the lookup for runs.
        PathAttributes? lastAttributes = null;
        Afi lastAfi = default;
        List<NlriEntry>? lastList = null;
        foreach (var (handle, attributes) in _pending)
        {
            var prefix = _index.PrefixOf(handle);
            uint pathId = prefix.IsIpv4 ? pathId4 : pathId6;
            var entry = new NlriEntry(prefix, pathId);
            ref var advertised = ref _advertised.At(handle);
            if (attributes is null)
            {
                (prefix.IsIpv4 ? _withdraw4 : _withdraw6).Add(entry);
                if (advertised is not null) Count--;
                advertised = null;
                if (_ownsIndex) _index.Remove(handle);
                continue;
            }

            if (!ReferenceEquals(attributes, lastAttributes) || prefix.Afi != lastAfi || lastList is null)
            {
                ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(_announce, (attributes, prefix.Afi), out _);
                lastList = list ??= RentList();
                lastAttributes = attributes;
                lastAfi = prefix.Afi;
            }

            lastList.Add(entry);
            if (advertised is null) Count++;
            advertised = attributes;
        }

        _pending.Clear();
        // Kept between flushes (regrowing it every batch would allocate megabytes of large-object
        // arrays each time); only an exceptional burst (a full table resent at once) is given back.
        if (_pending.Capacity > 1 << 20) _pending.TrimExcess(1 << 16);
        foreach (var (handle, desired) in _pendingPaths) CollectPaths(handle, desired);
        _pendingPaths.Clear();
        int messages = 0;
        if (_withdraw4.Count > 0) messages += builder.WriteWithdrawals(output, AfiSafi.Ipv4Unicast, CollectionsMarshal.AsSpan(_withdraw4));
        if (_withdraw6.Count > 0) messages += builder.WriteWithdrawals(output, AfiSafi.Ipv6Unicast, CollectionsMarshal.AsSpan(_withdraw6));
        foreach (var ((attributes, afi), list) in _announce)
        {
            messages += builder.WriteAnnouncements(output, attributes, afi == Afi.Ipv4 ? AfiSafi.Ipv4Unicast : AfiSafi.Ipv6Unicast,
                CollectionsMarshal.AsSpan(list));
        }

        _withdraw4.Clear();
        _withdraw6.Clear();
        foreach (var list in _announce.Values)
        {
            list.Clear();
            if (_spareLists.Count < MaxSpareLists) _spareLists.Push(list);
        }

        _announce.Clear();
        return messages;
    }

    /// <summary>
    /// A cleared list for one attribute set's prefixes. Lists are kept between flushes: a flush of
    /// tens of thousands of prefixes would otherwise allocate megabytes of large-object arrays each
    /// time, and those are what triggers full collections.
    /// </summary>
    private List<NlriEntry> RentList() => _spareLists.TryPop(out var list) ? list : [];

    /// <summary>ADD-PATH: withdraw identifiers no longer wanted, announce new or changed ones (RFC 7911 section 3).</summary>
    private void CollectPaths(int handle, AdvertisedPath[] desired)
    {
        var prefix = _index.PrefixOf(handle);
        _advertisedPaths.TryGetValue(handle, out var current);
        if (current is not null)
            foreach (var c in current)
                if (Array.FindIndex(desired, d => d.PathId == c.PathId) < 0) (prefix.IsIpv4 ? _withdraw4 : _withdraw6).Add(new NlriEntry(prefix, c.PathId));

        foreach (var d in desired)
        {
            if (Find(current, d.PathId) is { } was && SameAttributes(was, d.Attributes)) continue;
            ref var list = ref CollectionsMarshal.GetValueRefOrAddDefault(_announce, (d.Attributes, prefix.Afi), out _);
            (list ??= RentList()).Add(new NlriEntry(prefix, d.PathId));
        }

        if (desired.Length == 0)
        {
            if (current is not null && _advertisedPaths.Remove(handle)) Count--;
            if (_ownsIndex && _advertised.Get(handle) is null) _index.Remove(handle);
        }
        else
        {
            if (current is null) Count++;
            _advertisedPaths[handle] = desired;
        }
    }
}

/// <summary>One path advertised with ADD-PATH: its path identifier on this session and its attributes.</summary>
public readonly record struct AdvertisedPath(uint PathId, PathAttributes Attributes);
