using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;

namespace Tabby.Bgp.Policy;

/// <summary>What a rule matches; every non-empty condition must hold (empty lists match anything).</summary>
public sealed record PolicyMatch
{
    /// <summary>Any of these prefix matches.</summary>
    public IReadOnlyList<PrefixMatch> Prefixes { get; init; } = [];

    /// <summary>The route carries any of these communities.</summary>
    public IReadOnlyList<Community> Communities { get; init; } = [];

    /// <summary>The route carries any of these large communities.</summary>
    public IReadOnlyList<LargeCommunity> LargeCommunities { get; init; } = [];

    /// <summary>Only routes of this address family.</summary>
    public Afi? Family { get; init; }

    /// <summary>The AS path contains this AS.</summary>
    public uint? AsPathContains { get; init; }

    /// <summary>The AS path starts with these ASes, in this order (Calico BGPFilter asPathPrefix).</summary>
    public IReadOnlyList<uint> AsPathPrefix { get; init; } = [];

    /// <summary>True: only routes learned from a peer; false: only routes this speaker originated.</summary>
    public bool? LearnedFromPeer { get; init; }
}

/// <summary>What happens to a matching route: accept (with modifications) or reject.</summary>
public sealed record PolicyAction
{
    public static readonly PolicyAction Accept = new();

    public static readonly PolicyAction Reject = new() { Accepts = false };

    public bool Accepts { get; init; } = true;

    public IReadOnlyList<Community> AddCommunities { get; init; } = [];

    public IReadOnlyList<Community> RemoveCommunities { get; init; } = [];

    public IReadOnlyList<LargeCommunity> AddLargeCommunities { get; init; } = [];

    public uint? SetLocalPreference { get; init; }

    public uint? SetMed { get; init; }

    /// <summary>Prepend the local AS (or <see cref="PrependAs"/>) this many times.</summary>
    public int Prepend { get; init; }

    public uint? PrependAs { get; init; }

    /// <summary>Prepend these ASes, keeping their order at the front of the path (Calico prependASPath).</summary>
    public IReadOnlyList<uint> PrependAsns { get; init; } = [];

    public bool Modifies => AddCommunities.Count > 0 || RemoveCommunities.Count > 0 || AddLargeCommunities.Count > 0
        || SetLocalPreference is not null || SetMed is not null || Prepend > 0 || PrependAsns.Count > 0;
}

/// <summary>One ordered rule: the first rule that matches decides.</summary>
public sealed record PolicyRule(PolicyMatch Match, PolicyAction Action);
