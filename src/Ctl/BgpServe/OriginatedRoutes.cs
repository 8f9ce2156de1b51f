using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Ctl.BgpServe;

/// <summary>
/// The routes `tabbyctl bgp serve` originates from its configuration's <c>originate:</c> list, kept
/// so that a reload (SIGHUP) can bring a running speaker to a new list: prefixes no longer listed are
/// withdrawn, the others (re-)originated with their current attributes. Re-originating an unchanged
/// route changes nothing on the wire: the speaker only exports prefixes whose best path changed.
/// </summary>
internal sealed class OriginatedRoutes(BgpSpeaker speaker)
{
    private readonly HashSet<BgpPrefix> _current = [];

    /// <summary>Originates <paramref name="wanted"/> and withdraws what was originated before and is not in it.</summary>
    public (int Added, int Withdrawn) Apply(IReadOnlyList<(BgpPrefix Prefix, RouteAttributes Attributes)> wanted)
    {
        var next = new HashSet<BgpPrefix>();
        int added = 0;
        foreach (var (prefix, attributes) in wanted)
        {
            speaker.Originate(prefix, attributes);
            next.Add(prefix);
            if (!_current.Contains(prefix)) added++;
        }

        int withdrawn = 0;
        foreach (var prefix in _current)
        {
            if (next.Contains(prefix)) continue;
            speaker.Withdraw(prefix);
            withdrawn++;
        }

        _current.Clear();
        _current.UnionWith(next);
        return (added, withdrawn);
    }
}
