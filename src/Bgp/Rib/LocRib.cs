using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Rib;

/// <summary>
/// All paths of all prefixes with the best path chosen per prefix. It doubles as every peer's
/// Adj-RIB-In: each <see cref="RibPath"/> keeps the attributes as received beside the ones after
/// import policy, so a policy change is re-applied without asking the peer (no separate per-peer
/// table, which halves the memory of a full table). Not thread-safe: the speaker loop owns it.
/// </summary>
public sealed class LocRib(DecisionProcess decision)
{
    private readonly Dictionary<BgpPrefix, PrefixEntry> _prefixes = [];

    public DecisionProcess Decision { get; } = decision ?? throw new ArgumentNullException(nameof(decision));

    public int PrefixCount => _prefixes.Count;

    public int PathCount { get; private set; }

    public bool TryGet(BgpPrefix prefix, out PrefixEntry entry) => _prefixes.TryGetValue(prefix, out entry);

    public IEnumerable<KeyValuePair<BgpPrefix, PrefixEntry>> Entries => _prefixes;

    /// <summary>Adds or replaces the path of (source, path id); returns true when the best path or ECMP set changed.</summary>
    public bool Upsert(BgpPrefix prefix, in RibPath path) => Upsert(prefix, path, out _).HasFlag(RibChange.BestChanged);

    /// <summary>Adds or replaces the path of (source, path id) and says what it replaced and whether the best path or ECMP set changed.</summary>
    public RibChange Upsert(BgpPrefix prefix, in RibPath path, out RibPath previous)
    {
        previous = default;
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_prefixes, prefix, out bool exists);
        if (!exists) entry = PrefixEntry.Create();

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
        bool nowInSet = i < 32 && (entry.MultipathMask & (1u << i)) != 0;
        return wasInSet || nowInSet || Changed(before, entry) ? change | RibChange.BestChanged : change;
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
    public RibChange Remove(BgpPrefix prefix, RibPeer source, uint pathId, out RibPath removed)
    {
        removed = default;
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_prefixes, prefix);
        if (Unsafe.IsNullRef(ref entry)) return RibChange.None;
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
            _prefixes.Remove(prefix);
            return before.HasBest ? change | RibChange.BestChanged : change;
        }

        Select(ref entry);
        return wasInSet || Changed(before, entry) ? change | RibChange.BestChanged : change;
    }

    /// <summary>Removes every path of <paramref name="source"/> matching <paramref name="predicate"/>; calls <paramref name="changed"/> per prefix whose best changed.</summary>
    public int RemoveWhere(RibPeer source, Func<BgpPrefix, RibPath, bool>? predicate, Action<BgpPrefix> changed)
    {
        int removed = 0;
        List<BgpPrefix>? empty = null;
        foreach (var prefix in _prefixes.Keys)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_prefixes, prefix);
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
                (empty ??= []).Add(prefix);
                if (before.HasBest) changed(prefix);
            }
            else
            {
                Select(ref entry);
                if (hitSet || Changed(before, entry)) changed(prefix);
            }
        }

        if (empty is not null)
            foreach (var p in empty) _prefixes.Remove(p);
        return removed;
    }

    /// <summary>Sets or clears flags on every path of <paramref name="source"/> in <paramref name="family"/> (null: all); returns how many.</summary>
    public int SetFlags(RibPeer source, AfiSafi? family, PathFlags flags)
    {
        int n = 0;
        foreach (var prefix in _prefixes.Keys)
        {
            if (family is { } f && prefix.Afi != f.Afi) continue;
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_prefixes, prefix);
            for (int i = 0; i < entry.Count; i++)
            {
                ref var p = ref entry[i];
                if (!ReferenceEquals(p.Source, source)) continue;
                p = p.WithFlags(flags);
                n++;
            }
        }

        return n;
    }

    /// <summary>Re-applies import policy to every path of <paramref name="source"/>; calls <paramref name="changed"/> per prefix whose best changed.</summary>
    public void Reimport(RibPeer source, Func<BgpPrefix, PathAttributes, PathAttributes?> import, Action<BgpPrefix> changed)
    {
        foreach (var prefix in _prefixes.Keys)
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_prefixes, prefix);
            bool touched = false;
            var before = Snapshot(entry);
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
            // A path whose attributes changed may still be best: compare the whole set.
            changed(prefix);
            _ = before;
        }
    }

    /// <summary>Runs the decision again for one prefix (e.g. after an IGP cost change).</summary>
    public bool Reselect(BgpPrefix prefix)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_prefixes, prefix);
        if (Unsafe.IsNullRef(ref entry)) return false;
        var before = Snapshot(entry);
        Select(ref entry);
        return Changed(before, entry);
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
