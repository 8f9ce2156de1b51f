namespace Tabby.Bgp.Rib;

/// <summary>
/// Every path of one prefix (a small array, usually one element) with the result of the last
/// decision: the best path's index, why it won, and the ECMP set as a bit mask over the paths.
/// </summary>
public sealed class PrefixEntry
{
    private RibPath[] _paths = new RibPath[1];

    public int Count { get; private set; }

    /// <summary>Index of the best path, -1 when no path is eligible.</summary>
    public int BestIndex { get; internal set; } = -1;

    public BestPathReason Reason { get; internal set; }

    /// <summary>Bit i set: path i is in the ECMP set (the best path included).</summary>
    public uint MultipathMask { get; internal set; }

    public ReadOnlySpan<RibPath> Paths => _paths.AsSpan(0, Count);

    public bool HasBest => BestIndex >= 0;

    public ref readonly RibPath Best => ref _paths[BestIndex];

    internal ref RibPath this[int index] => ref _paths[index];

    internal int IndexOf(RibPeer source, uint pathId)
    {
        for (int i = 0; i < Count; i++)
            if (ReferenceEquals(_paths[i].Source, source) && _paths[i].PathId == pathId) return i;
        return -1;
    }

    internal void Add(in RibPath path)
    {
        if (Count == _paths.Length) Array.Resize(ref _paths, Count * 2);
        _paths[Count++] = path;
    }

    internal void RemoveAt(int index)
    {
        Count--;
        if (index < Count) _paths[index] = _paths[Count];
        _paths[Count] = default;
        if (Count > 0 && Count * 4 <= _paths.Length) Array.Resize(ref _paths, Math.Max(1, Count));
    }

    /// <summary>The ECMP set, best first.</summary>
    public IEnumerable<RibPath> MultipathSet()
    {
        if (!HasBest) yield break;
        yield return _paths[BestIndex];
        for (int i = 0; i < Count; i++)
            if (i != BestIndex && (MultipathMask & (1u << i)) != 0) yield return _paths[i];
    }
}
