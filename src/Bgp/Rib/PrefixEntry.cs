using System.Diagnostics.CodeAnalysis;

namespace Tabby.Bgp.Rib;

/// <summary>
/// Every path of one prefix with the result of the last decision: the best path's index, why it
/// won, and the ECMP set as a bit mask over the paths. A struct stored inline in the Loc-RIB's
/// dictionary, with the first (usually only) path inline too: a single-path prefix costs no object
/// of its own, so a full table creates no per-prefix garbage for the GC to trace.
/// </summary>
public struct PrefixEntry
{
    private RibPath _first;
    private RibPath[]? _rest;

    public int Count { readonly get; private set; }

    /// <summary>Index of the best path, -1 when no path is eligible.</summary>
    public int BestIndex { readonly get; internal set; }

    public BestPathReason Reason { readonly get; internal set; }

    /// <summary>Bit i set: path i is in the ECMP set (the best path included).</summary>
    public uint MultipathMask { readonly get; internal set; }

    public readonly bool HasBest => BestIndex >= 0 && Count > 0;

    public readonly RibPath Best => PathAt(BestIndex);

    public readonly RibPath PathAt(int index) => index == 0 ? _first : _rest![index - 1];

    [UnscopedRef]
    internal ref RibPath this[int index] => ref index == 0 ? ref _first : ref _rest![index - 1];

    internal static PrefixEntry Create() => new() { BestIndex = -1 };

    internal readonly int IndexOf(RibPeer source, uint pathId)
    {
        for (int i = 0; i < Count; i++)
        {
            var p = PathAt(i);
            if (ReferenceEquals(p.Source, source) && p.PathId == pathId) return i;
        }

        return -1;
    }

    internal void Add(in RibPath path)
    {
        if (Count == 0)
        {
            _first = path;
        }
        else
        {
            _rest ??= new RibPath[1];
            if (Count - 1 == _rest.Length) Array.Resize(ref _rest, _rest.Length * 2);
            _rest[Count - 1] = path;
        }

        Count++;
    }

    internal void RemoveAt(int index)
    {
        Count--;
        if (index < Count) this[index] = this[Count];
        this[Count] = default;
        if (Count <= 1) _rest = null;
    }

    /// <summary>The ECMP set, best first.</summary>
    public readonly IEnumerable<RibPath> MultipathSet()
    {
        var result = new List<RibPath>();
        if (!HasBest) return result;
        result.Add(Best);
        for (int i = 0; i < Count; i++)
            if (i != BestIndex && (MultipathMask & (1u << i)) != 0) result.Add(PathAt(i));
        return result;
    }
}
