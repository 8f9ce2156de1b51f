using Tabby.Bgp.Wire.Attributes;

namespace Tabby.Bgp.Rib;

[Flags]
public enum PathFlags : byte
{
    None = 0,

    /// <summary>Kept for a restarting peer until End-of-RIB or the restart timer (RFC 4724 section 4.2).</summary>
    Stale = 1,
}

/// <summary>
/// One path of a prefix: a small value (source, the attribute set as received = the pre-policy
/// Adj-RIB-In entry, the set after import policy or null when rejected, ADD-PATH identifier,
/// flags). Attribute sets are interned, so the path owns no per-route objects.
/// </summary>
public readonly struct RibPath(RibPeer source, PathAttributes received, PathAttributes? accepted, uint pathId = 0, PathFlags flags = PathFlags.None)
{
    public RibPeer Source { get; } = source;

    /// <summary>Attributes as the peer sent them (Adj-RIB-In, pre-policy).</summary>
    public PathAttributes Received { get; } = received;

    /// <summary>Attributes after import policy; null when policy rejected the path (then it never competes).</summary>
    public PathAttributes? Accepted { get; } = accepted;

    public uint PathId { get; } = pathId;

    public PathFlags Flags { get; } = flags;

    public bool IsEligible => Accepted is not null;

    public bool IsStale => (Flags & PathFlags.Stale) != 0;

    public RibPath WithFlags(PathFlags flags) => new(Source, Received, Accepted, PathId, flags);

    public RibPath WithAccepted(PathAttributes? accepted) => new(Source, Received, accepted, PathId, Flags);
}
