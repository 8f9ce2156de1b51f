using System.Net;

namespace Tabby.Bgp.Rib;

/// <summary>Knobs of the decision process.</summary>
public sealed record DecisionOptions
{
    /// <summary>Compare MED between paths from different neighbour ASes too (RFC 4271 section 9.1.2.2 (c) only compares within one).</summary>
    public bool AlwaysCompareMed { get; init; }

    /// <summary>LOCAL_PREF assumed for paths without one (eBGP-learned paths).</summary>
    public uint DefaultLocalPreference { get; init; } = 100;

    /// <summary>Cost to reach a next hop (RFC 4271 section 9.1.2.2 (e)); null means unknown and the step is skipped.</summary>
    public Func<IPAddress, uint?>? IgpCost { get; init; }

    /// <summary>Build ECMP sets of paths equal up to the IGP cost step.</summary>
    public bool Multipath { get; init; } = true;

    /// <summary>Allow eBGP paths from different neighbour ASes in one ECMP set.</summary>
    public bool MultipathRelaxAsPath { get; init; }

    /// <summary>Largest ECMP set.</summary>
    public int MaxPaths { get; init; } = 16;
}
