namespace Tabby.Bgp.Rib;

/// <summary>
/// The decision step that made the best path win over its closest competitor, in the order of
/// RFC 4271 section 9.1.2.2 with RFC 4456 section 9 for route reflection.
/// </summary>
public enum BestPathReason : byte
{
    None,
    OnlyPath,
    LocallyOriginated,
    LocalPreference,
    AsPathLength,
    Origin,
    MultiExitDiscriminator,
    ExternalOverInternal,
    IgpCost,
    RouterId,
    ClusterListLength,
    PeerAddress,
    PathId,
}

public static class BestPathReasonText
{
    public static string Describe(this BestPathReason reason) => reason switch
    {
        BestPathReason.OnlyPath => "only path",
        BestPathReason.LocallyOriginated => "locally originated",
        BestPathReason.LocalPreference => "higher local preference",
        BestPathReason.AsPathLength => "shorter AS path",
        BestPathReason.Origin => "lower origin",
        BestPathReason.MultiExitDiscriminator => "lower MED",
        BestPathReason.ExternalOverInternal => "eBGP over iBGP",
        BestPathReason.IgpCost => "lower IGP cost to next hop",
        BestPathReason.RouterId => "lower router id / originator id",
        BestPathReason.ClusterListLength => "shorter cluster list",
        BestPathReason.PeerAddress => "lower peer address",
        BestPathReason.PathId => "lower path id",
        _ => "none",
    };
}
