namespace Tabby.Node.Health;

/// <summary>A BGP peer as readiness sees it.</summary>
public sealed record PeerHealth(string Address, bool Established);

/// <summary>
/// calico-node's "bird-ready" rule: with no peers the node is ready; during the first 30 s after
/// start every peer must be Established; afterwards one Established peer is enough; never ready
/// while a graceful restart is in progress.
/// </summary>
public static class BgpReadiness
{
    public static readonly TimeSpan StartupWindow = TimeSpan.FromSeconds(30);

    /// <summary>Null when ready, otherwise the reason (e.g. <c>BGP not established with 192.0.2.2</c>).</summary>
    public static string? WhyNotReady(IReadOnlyList<PeerHealth> peers, TimeSpan sinceStart, bool gracefulRestartInProgress)
    {
        if (gracefulRestartInProgress)
        {
            return "BGP graceful restart in progress";
        }

        if (peers.Count == 0)
        {
            return null;
        }

        var down = peers.Where(p => !p.Established).Select(p => p.Address).ToList();
        if (down.Count == 0)
        {
            return null;
        }

        var notEstablished = "BGP not established with " + string.Join(",", down);
        if (sinceStart < StartupWindow)
        {
            return notEstablished;
        }

        return down.Count == peers.Count ? notEstablished : null;
    }
}
