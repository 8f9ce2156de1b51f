using System.Net;
using Tabby.Bgp.Wire.Attributes;

namespace Tabby.Bgp.Rib;

/// <summary>
/// The BGP decision process (RFC 4271 section 9.1.2.2) as a chain of named steps. Comparing two
/// paths returns which is better and the step that decided, so every best path carries the reason
/// it won. Steps up to <see cref="BestPathReason.IgpCost"/> decide ECMP equality; the remaining
/// ones only break ties.
/// </summary>
public sealed class DecisionProcess(DecisionOptions options)
{
    public DecisionOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Negative when <paramref name="a"/> is better, positive when <paramref name="b"/> is; <paramref name="step"/> is the deciding step.</summary>
    public int Compare(in RibPath a, in RibPath b, out BestPathReason step)
    {
        var x = a.Accepted!;
        var y = b.Accepted!;

        // Locally originated routes first (like a weight), so the speaker never prefers a learned copy of its own prefix.
        step = BestPathReason.LocallyOriginated;
        if (a.Source.IsLocal != b.Source.IsLocal) return a.Source.IsLocal ? -1 : 1;

        // (a) highest degree of preference: LOCAL_PREF.
        step = BestPathReason.LocalPreference;
        int c = (y.LocalPref ?? Options.DefaultLocalPreference).CompareTo(x.LocalPref ?? Options.DefaultLocalPreference);
        if (c != 0) return c;

        // (a) shortest AS_PATH (AS_SET counts 1, confederation segments 0).
        step = BestPathReason.AsPathLength;
        c = PathLength(x).CompareTo(PathLength(y));
        if (c != 0) return c;

        // (b) lowest ORIGIN.
        step = BestPathReason.Origin;
        c = ((byte)(x.Origin ?? Origin.Incomplete)).CompareTo((byte)(y.Origin ?? Origin.Incomplete));
        if (c != 0) return c;

        // (c) lowest MED among paths from the same neighbouring AS; a missing MED is the lowest value.
        step = BestPathReason.MultiExitDiscriminator;
        if (Options.AlwaysCompareMed || NeighbourAs(a) == NeighbourAs(b))
        {
            c = (x.MultiExitDisc ?? 0).CompareTo(y.MultiExitDisc ?? 0);
            if (c != 0) return c;
        }

        // (d) eBGP-learned over iBGP-learned.
        step = BestPathReason.ExternalOverInternal;
        if (a.Source.IsInternal != b.Source.IsInternal) return a.Source.IsInternal ? 1 : -1;

        // (e) lowest interior cost to the next hop, when the host tells us.
        step = BestPathReason.IgpCost;
        if (Options.IgpCost is { } cost && NextHop(x) is { } nx && NextHop(y) is { } ny)
        {
            c = (cost(nx) ?? uint.MaxValue).CompareTo(cost(ny) ?? uint.MaxValue);
            if (c != 0) return c;
        }

        // (f) lowest BGP identifier; ORIGINATOR_ID stands in for it on reflected routes (RFC 4456 section 9).
        step = BestPathReason.RouterId;
        c = (x.OriginatorId ?? a.Source.RouterId).CompareTo(y.OriginatorId ?? b.Source.RouterId);
        if (c != 0) return c;

        // RFC 4456 section 9: shorter CLUSTER_LIST.
        step = BestPathReason.ClusterListLength;
        c = x.ClusterList.Length.CompareTo(y.ClusterList.Length);
        if (c != 0) return c;

        // (g) lowest peer address.
        step = BestPathReason.PeerAddress;
        c = CompareAddresses(a.Source.Address, b.Source.Address);
        if (c != 0) return c;

        step = BestPathReason.PathId;
        return a.PathId.CompareTo(b.PathId);
    }

    /// <summary>True when <paramref name="candidate"/> may share an ECMP set with <paramref name="best"/>.</summary>
    public bool IsMultipathEqual(in RibPath best, in RibPath candidate)
    {
        if (!Options.Multipath || best.Source.IsLocal || candidate.Source.IsLocal) return false;
        Compare(best, candidate, out var step);
        if (step <= BestPathReason.IgpCost) return false;
        if (!best.Source.IsInternal && !Options.MultipathRelaxAsPath && NeighbourAs(best) != NeighbourAs(candidate)) return false;
        return !Equals(NextHop(best.Accepted!), NextHop(candidate.Accepted!));
    }

    private static int PathLength(PathAttributes a) => a.AsPath?.PathLength ?? 0;

    /// <summary>The AS a path entered from: the first AS of the AS_PATH, or 0 for our own AS (RFC 4271 section 9.1.2.2 (c)).</summary>
    private static uint NeighbourAs(in RibPath p)
    {
        var path = p.Accepted!.AsPath;
        if (path is null) return 0;
        foreach (var s in path.Segments)
            if (s.Type == AsPathSegmentType.AsSequence && s.Asns.Length > 0) return s.Asns[0];
        return 0;
    }

    public static IPAddress? NextHop(PathAttributes a) => a.MpNextHop ?? a.NextHop;

    private static int CompareAddresses(IPAddress a, IPAddress b)
    {
        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        a.TryWriteBytes(x, out int nx);
        b.TryWriteBytes(y, out int ny);
        int c = nx.CompareTo(ny);
        return c != 0 ? c : x[..nx].SequenceCompareTo(y[..ny]);
    }
}
