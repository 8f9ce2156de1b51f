using System.Runtime.CompilerServices;
using Tabby.Bgp.Rib.Storage;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Rib;

/// <summary>
/// All paths of all prefixes with the best path chosen per prefix. It doubles as every peer's
/// Adj-RIB-In: each <see cref="RibPath"/> keeps the attributes as received beside the ones after
/// import policy, so a policy change is re-applied without asking the peer (no separate per-peer
/// table, which halves the memory of a full table). Not thread-safe: the speaker loop owns it.
///
/// Storage: prefixes get stable handles from a <see cref="PrefixIndex"/> (IPv4 keyed by one
/// 64-bit integer), and each handle has a 16-byte slot in chunked arrays. A prefix with one path
/// that import policy left unchanged (or rejected), without a path identifier - the common case
/// of a full table - is stored in the slot itself: the interned attribute set, the source's
/// number and the flags, no object of its own. Anything else (several paths, a rewritten set,
/// ADD-PATH identifiers) keeps a <see cref="PrefixEntry"/> in a small object. A prefix whose last
/// path goes keeps its handle until <see cref="ReleaseEmpty"/>, so Adj-RIB-Outs indexed by the
/// same handles can still send its withdrawal.
/// </summary>
public sealed class LocRib(DecisionProcess decision)
{
    private readonly PrefixIndex _index = new();
    private readonly HandleArray<Slot> _slots = new();
    private readonly List<RibPeer> _sources = [];
    private readonly Dictionary<RibPeer, int> _sourceIds = new(ReferenceEqualityComparer.Instance);
    private readonly List<int> _emptied = [];
    private readonly List<int> _changed = [];
    private readonly HandleArray<bool> _isChanged = new();
    private RibPeer? _lastSource;
    private int _lastSourceId;

    public DecisionProcess Decision { get; } = decision ?? throw new ArgumentNullException(nameof(decision));

    public int PrefixCount { get; private set; }

    public int PathCount { get; private set; }

    /// <summary>The handles of this RIB's prefixes, for tables indexed the same way (Adj-RIB-Out).</summary>
    internal PrefixIndex Index => _index;

    /// <summary>
    /// Keep a list of the prefixes whose best path or ECMP set changed (what an exporter must look
    /// at), read with <see cref="ChangedHandles"/> and reset with <see cref="ClearChanged"/>. A flag
    /// per handle makes a prefix appear once however often it changes before the export.
    /// </summary>
    public bool TrackChanges { get; init; }

    /// <summary>
    /// With <see cref="TrackChanges"/>: list a prefix when any of its eligible paths changes, not
    /// only its best path or ECMP set (an ADD-PATH send peer gets more than the best path).
    /// </summary>
    public bool TrackAllPathChanges { get; set; }

    internal IReadOnlyList<int> ChangedHandles => _changed;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void ClearChanged()
    {
        foreach (int handle in _changed) _isChanged.At(handle) = false;
        _changed.Clear();
    }

    private void MarkChanged(int handle)
    {
        if (!TrackChanges) return;
        ref bool flag = ref _isChanged.At(handle);
        if (flag) return;
        flag = true;
        _changed.Add(handle);
    }

    /// <summary>
    /// One prefix's storage: <see cref="Data"/> is null (no path), the interned attribute set of
    /// the single simple path, or a <see cref="PathList"/>.
    /// </summary>
    private struct Slot
    {
        public object? Data;
        public int Source;
        public PathFlags Flags;
        public bool Rejected;
    }

    private sealed class PathList
    {
        public PrefixEntry Entry;
    }

    public bool TryGet(BgpPrefix prefix, out PrefixEntry entry)
    {
        entry = default;
        if (!_index.TryFind(prefix, out int handle)) return false;
        var slot = _slots.Get(handle);
        if (slot.Data is null) return false;
        entry = Materialize(slot);
        return true;
    }

    /// <summary>The entry of the prefix with <paramref name="handle"/> in <see cref="Index"/>; false when it has no path.</summary>
    internal bool TryGet(int handle, out PrefixEntry entry)
    {
        entry = default;
        var slot = _slots.Get(handle);
        if (slot.Data is null) return false;
        entry = Materialize(slot);
        return true;
    }

    public IEnumerable<KeyValuePair<BgpPrefix, PrefixEntry>> Entries
    {
        get
        {
            foreach (int handle in Handles())
            {
                var slot = _slots.Get(handle);
                if (slot.Data is null) continue;
                yield return new(_index.PrefixOf(handle), Materialize(slot));
            }
        }
    }

    /// <summary>Like <see cref="Entries"/>, with each prefix's handle in <see cref="Index"/>.</summary>
    internal IEnumerable<(int Handle, BgpPrefix Prefix, PrefixEntry Entry)> HandleEntries()
    {
        foreach (int handle in Handles())
        {
            var slot = _slots.Get(handle);
            if (slot.Data is null) continue;
            yield return (handle, _index.PrefixOf(handle), Materialize(slot));
        }
    }

    /// <summary>Every handle that may hold a prefix of <paramref name="afi"/> (null: both families).</summary>
    private IEnumerable<int> Handles(Afi? afi = null)
    {
        if (afi is null or Afi.Ipv4)
            for (int i = 0; i < _index.Ipv4.HighWater; i++) yield return i;
        if (afi is null or Afi.Ipv6)
            for (int i = 0; i < _index.Ipv6.HighWater; i++) yield return ~i;
    }

    /// <summary>Forgets the handles of prefixes that lost their last path (call when no Adj-RIB-Out still refers to them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ReleaseEmpty()
    {
        int kept = 0;
        for (int i = 0; i < _emptied.Count; i++)
        {
            int handle = _emptied[i];
            if (_slots.Get(handle).Data is not null) continue;
            // A change not yet exported still needs the handle to send its withdrawal.
            if (_isChanged.Get(handle)) _emptied[kept++] = handle;
            else _index.Remove(handle);
        }

        _emptied.RemoveRange(kept, _emptied.Count - kept);
    }

    private int SourceId(RibPeer source)
    {
        if (ReferenceEquals(source, _lastSource)) return _lastSourceId;
        if (!_sourceIds.TryGetValue(source, out int id))
        {
            id = _sources.Count;
            _sources.Add(source);
            _sourceIds.Add(source, id);
        }

        _lastSource = source;
        _lastSourceId = id;
        return id;
    }

    /// <summary>A path the slot can hold inline: no path identifier, and import policy kept the received set (or rejected it).</summary>
    private static bool IsSimple(in RibPath path) => path.PathId == 0 && (path.Accepted is null || ReferenceEquals(path.Accepted, path.Received));

    private RibPath SimplePath(in Slot slot)
    {
        var attributes = (PathAttributes)slot.Data!;
        return new RibPath(_sources[slot.Source], attributes, slot.Rejected ? null : attributes, 0, slot.Flags);
    }

    private PrefixEntry Materialize(in Slot slot)
    {
        if (slot.Data is PathList list) return list.Entry;
        var entry = PrefixEntry.Create();
        if (slot.Data is null) return entry;
        entry.Add(SimplePath(slot));
        // What the decision gives for a single path: best and alone in the ECMP set when eligible.
        if (!slot.Rejected)
        {
            entry.BestIndex = 0;
            entry.Reason = BestPathReason.OnlyPath;
            entry.MultipathMask = 1;
        }

        return entry;
    }

    private void Store(ref Slot slot, int handle, in PrefixEntry entry)
    {
        bool wasEmpty = slot.Data is null;
        if (entry.Count == 0)
        {
            if (!wasEmpty)
            {
                PrefixCount--;
                _emptied.Add(handle);
            }

            slot = default;
            return;
        }

        if (wasEmpty) PrefixCount++;
        if (entry.Count == 1 && entry.PathAt(0) is var only && IsSimple(only))
        {
            slot = new Slot { Data = only.Received, Source = SourceId(only.Source), Flags = only.Flags, Rejected = only.Accepted is null };
            return;
        }

        if (slot.Data is PathList list) list.Entry = entry;
        else slot = new Slot { Data = new PathList { Entry = entry }, Source = -1 };
    }

    /// <summary>Adds or replaces the path of (source, path id); returns true when the best path or ECMP set changed.</summary>
    public bool Upsert(BgpPrefix prefix, in RibPath path) => Upsert(prefix, path, out _).HasFlag(RibChange.BestChanged);

    /// <summary>Adds or replaces the path of (source, path id) and says what it replaced and whether the best path or ECMP set changed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public RibChange Upsert(BgpPrefix prefix, in RibPath path, out RibPath previous)
    {
        previous = default;
        int handle = _index.GetOrAdd(prefix, out _);
        ref var slot = ref _slots.At(handle);
        if (slot.Data is null && IsSimple(path))
        {
            // The first path of a prefix: the decision is trivial (best when eligible).
            slot = new Slot { Data = path.Received, Source = SourceId(path.Source), Flags = path.Flags, Rejected = path.Accepted is null };
            PrefixCount++;
            PathCount++;
            if (!path.IsEligible) return RibChange.None;
            MarkChanged(handle);
            return RibChange.BestChanged;
        }

        var entry = Materialize(slot);
        var before = Snapshot(entry);
        int i = entry.IndexOf(path.Source, path.PathId);
        bool wasInSet = false;
        var change = RibChange.None;
        if (i >= 0)
        {
            previous = entry[i];
            change = RibChange.Existed | (previous.IsEligible ? RibChange.WasEligible : RibChange.None);
            if (ReferenceEquals(entry[i].Accepted, path.Accepted) && ReferenceEquals(entry[i].Received, path.Received) && entry[i].Flags == path.Flags) return change;
            wasInSet = i < 32 && (entry.MultipathMask & (1u << i)) != 0 && !ReferenceEquals(entry[i].Accepted, path.Accepted);
            entry[i] = path;
        }
        else
        {
            i = entry.Count;
            entry.Add(path);
            PathCount++;
        }

        Select(ref entry);
        Store(ref slot, handle, entry);
        bool nowInSet = i < 32 && (entry.MultipathMask & (1u << i)) != 0;
        if (wasInSet || nowInSet || Changed(before, entry)) return Mark(handle, change | RibChange.BestChanged);
        if (TrackAllPathChanges && (path.IsEligible || previous.IsEligible)) MarkChanged(handle);
        return change;
    }

    private readonly record struct BestSnapshot(bool HasBest, RibPeer? Source, uint PathId, PathAttributes? Accepted, int SetSize);

    private static BestSnapshot Snapshot(in PrefixEntry e) => e.HasBest
        ? new BestSnapshot(true, e.Best.Source, e.Best.PathId, e.Best.Accepted, System.Numerics.BitOperations.PopCount(e.MultipathMask))
        : default;

    private static bool Changed(BestSnapshot before, in PrefixEntry e)
    {
        var after = Snapshot(e);
        return before.HasBest != after.HasBest || !ReferenceEquals(before.Source, after.Source) || before.PathId != after.PathId
            || !ReferenceEquals(before.Accepted, after.Accepted) || before.SetSize != after.SetSize;
    }

    /// <summary>Removes the path of (source, path id); returns true when the best path or ECMP set changed.</summary>
    public bool Remove(BgpPrefix prefix, RibPeer source, uint pathId) => Remove(prefix, source, pathId, out _).HasFlag(RibChange.BestChanged);

    /// <summary>Removes the path of (source, path id) and says whether it existed, was eligible, and changed the best path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public RibChange Remove(BgpPrefix prefix, RibPeer source, uint pathId, out RibPath removed)
    {
        removed = default;
        if (!_index.TryFind(prefix, out int handle)) return RibChange.None;
        ref var slot = ref _slots.At(handle);
        if (slot.Data is null) return RibChange.None;
        if (slot.Data is PathAttributes)
        {
            // The only path: the prefix goes (its handle stays until ReleaseEmpty).
            if (pathId != 0 || !ReferenceEquals(_sources[slot.Source], source)) return RibChange.None;
            removed = SimplePath(slot);
            PathCount--;
            Store(ref slot, handle, PrefixEntry.Create());
            return removed.IsEligible ? Mark(handle, RibChange.Existed | RibChange.WasEligible | RibChange.BestChanged) : RibChange.Existed;
        }

        var entry = Materialize(slot);
        int i = entry.IndexOf(source, pathId);
        if (i < 0) return RibChange.None;
        removed = entry[i];
        var change = RibChange.Existed | (removed.IsEligible ? RibChange.WasEligible : RibChange.None);
        var before = Snapshot(entry);
        bool wasInSet = i < 32 && (entry.MultipathMask & (1u << i)) != 0;
        entry.RemoveAt(i);
        PathCount--;
        if (entry.Count == 0)
        {
            Store(ref slot, handle, entry);
            return before.HasBest ? Mark(handle, change | RibChange.BestChanged) : change;
        }

        Select(ref entry);
        Store(ref slot, handle, entry);
        if (wasInSet || Changed(before, entry)) return Mark(handle, change | RibChange.BestChanged);
        if (TrackAllPathChanges && removed.IsEligible) MarkChanged(handle);
        return change;
    }

    private void Changed(int handle, BgpPrefix prefix, Action<BgpPrefix> changed)
    {
        MarkChanged(handle);
        changed(prefix);
    }

    private RibChange Mark(int handle, RibChange change)
    {
        MarkChanged(handle);
        return change;
    }

    /// <summary>True when the slot may hold a path of <paramref name="sourceId"/> (a single inline path of another source cannot).</summary>
    private static bool MayHold(in Slot slot, int sourceId) => slot.Data is PathList || (slot.Data is not null && slot.Source == sourceId);

    /// <summary>Removes every path of <paramref name="source"/> matching <paramref name="predicate"/>; calls <paramref name="changed"/> per prefix whose best changed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int RemoveWhere(RibPeer source, Func<BgpPrefix, RibPath, bool>? predicate, Action<BgpPrefix> changed)
    {
        int removed = 0;
        int sourceId = SourceId(source);
        foreach (int handle in Handles())
        {
            ref var slot = ref _slots.At(handle);
            if (!MayHold(slot, sourceId)) continue;
            var prefix = _index.PrefixOf(handle);
            var entry = Materialize(slot);
            bool touched = false;
            var before = Snapshot(entry);
            bool hitSet = false;
            for (int i = entry.Count - 1; i >= 0; i--)
            {
                ref var p = ref entry[i];
                if (!ReferenceEquals(p.Source, source) || (predicate is not null && !predicate(prefix, p))) continue;
                hitSet |= i < 32 && (entry.MultipathMask & (1u << i)) != 0;
                entry.RemoveAt(i);
                PathCount--;
                removed++;
                touched = true;
            }

            if (!touched) continue;
            if (entry.Count == 0)
            {
                Store(ref slot, handle, entry);
                if (before.HasBest) Changed(handle, prefix, changed);
            }
            else
            {
                Select(ref entry);
                Store(ref slot, handle, entry);
                if (hitSet || Changed(before, entry)) Changed(handle, prefix, changed);
                else if (TrackAllPathChanges) MarkChanged(handle);
            }
        }

        return removed;
    }

    /// <summary>Sets or clears flags on every path of <paramref name="source"/> in <paramref name="family"/> (null: all); returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int SetFlags(RibPeer source, AfiSafi? family, PathFlags flags)
    {
        int n = 0;
        int sourceId = SourceId(source);
        foreach (int handle in Handles(family?.Afi))
        {
            ref var slot = ref _slots.At(handle);
            if (!MayHold(slot, sourceId)) continue;
            if (slot.Data is PathAttributes)
            {
                slot.Flags = flags;
                n++;
                continue;
            }

            var list = (PathList)slot.Data!;
            for (int i = 0; i < list.Entry.Count; i++)
            {
                ref var p = ref list.Entry[i];
                if (!ReferenceEquals(p.Source, source)) continue;
                p = p.WithFlags(flags);
                n++;
            }
        }

        return n;
    }

    /// <summary>Re-applies import policy to every path of <paramref name="source"/>; calls <paramref name="changed"/> per prefix whose best changed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Reimport(RibPeer source, Func<BgpPrefix, PathAttributes, PathAttributes?> import, Action<BgpPrefix> changed)
    {
        int sourceId = SourceId(source);
        foreach (int handle in Handles())
        {
            ref var slot = ref _slots.At(handle);
            if (!MayHold(slot, sourceId)) continue;
            var prefix = _index.PrefixOf(handle);
            var entry = Materialize(slot);
            bool touched = false;
            for (int i = 0; i < entry.Count; i++)
            {
                ref var p = ref entry[i];
                if (!ReferenceEquals(p.Source, source)) continue;
                var accepted = import(prefix, p.Received);
                if (ReferenceEquals(accepted, p.Accepted)) continue;
                p = p.WithAccepted(accepted);
                touched = true;
            }

            if (!touched) continue;
            Select(ref entry);
            Store(ref slot, handle, entry);
            // A path whose attributes changed may still be best: the exporter compares the whole set.
            Changed(handle, prefix, changed);
        }
    }

    /// <summary>Runs the decision again for one prefix (e.g. after an IGP cost change).</summary>
    public bool Reselect(BgpPrefix prefix)
    {
        if (!_index.TryFind(prefix, out int handle)) return false;
        ref var slot = ref _slots.At(handle);
        if (slot.Data is null) return false;
        var entry = Materialize(slot);
        var before = Snapshot(entry);
        Select(ref entry);
        Store(ref slot, handle, entry);
        return Changed(before, entry) && Mark(handle, RibChange.BestChanged) != RibChange.None;
    }

    /// <summary>Chooses the best path, why it won, and the ECMP set.</summary>
    private void Select(ref PrefixEntry entry)
    {
        int best = -1;
        for (int i = 0; i < entry.Count; i++)
        {
            if (!entry[i].IsEligible) continue;
            if (best < 0 || Decision.Compare(entry[i], entry[best], out _) < 0) best = i;
        }

        var reason = BestPathReason.None;
        uint mask = 0;
        if (best >= 0)
        {
            reason = BestPathReason.OnlyPath;
            var bestStep = BestPathReason.None;
            mask = 1u << Math.Min(best, 31);
            int inSet = 1;
            for (int i = 0; i < entry.Count; i++)
            {
                if (i == best || !entry[i].IsEligible) continue;
                Decision.Compare(entry[best], entry[i], out var step);
                // The deciding step against the closest competitor is the latest one in the chain.
                if (step > bestStep) bestStep = step;
                if (i < 32 && inSet < Decision.Options.MaxPaths && Decision.IsMultipathEqual(entry[best], entry[i]))
                {
                    mask |= 1u << i;
                    inSet++;
                }
            }

            if (bestStep != BestPathReason.None) reason = bestStep;
        }

        entry.BestIndex = best;
        entry.Reason = reason;
        entry.MultipathMask = mask;
    }
}
