using Tabby.Bgp.Policy;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Datastore.Resources.Calico;
using PolicyRule = Tabby.Bgp.Policy.PolicyRule;

namespace Tabby.Node.Bgp;

/// <summary>
/// The import and export policy of each peer, as Calico configures BIRD: the peer's BGPFilters
/// first (in the order the BGPPeer lists them), then the default: export only what this node
/// advertises (a route reflector also reflects everything it learned), import everything.
/// Policies are cached by what they are built from, so a peer whose inputs did not change keeps
/// the same policy instance and its session is left alone.
/// </summary>
public sealed class PeerPolicies
{
    private Dictionary<string, RoutePolicy> _current = new(StringComparer.Ordinal);
    private Dictionary<string, RoutePolicy> _previous = new(StringComparer.Ordinal);
    private IReadOnlyList<PolicyRule> _defaultExport = [];
    private string _defaultExportKey = "";
    private bool _reflector;
    private Dictionary<string, BGPFilter> _filters = new(StringComparer.Ordinal);

    /// <summary>Starts a planning pass with what the node advertises and the BGPFilters that exist.</summary>
    public void Begin(bool routeReflector, IEnumerable<BgpPrefix> advertised, IEnumerable<BGPFilter> filters)
    {
        _reflector = routeReflector;
        var prefixes = advertised.Distinct().OrderBy(p => p.ToString(), StringComparer.Ordinal).ToList();
        var key = routeReflector ? "*" : string.Join(",", prefixes);
        if (key != _defaultExportKey)
        {
            _defaultExportKey = key;
            _defaultExport = routeReflector ? [] : prefixes.Select(p => new PolicyRule(new PolicyMatch { Prefixes = [PrefixMatch.Exact(p)] }, PolicyAction.Accept)).ToList();
        }

        _filters = filters.ToDictionary(f => f.Name, StringComparer.Ordinal);
        _previous = _current;
        _current = new Dictionary<string, RoutePolicy>(StringComparer.Ordinal);
    }

    /// <summary>The policy for <paramref name="peer"/> in <paramref name="direction"/>; problems with its filters are added to <paramref name="problems"/>.</summary>
    public RoutePolicy For(PlannedPeer peer, FilterDirection direction, List<string> problems)
    {
        var filters = new List<BGPFilter>();
        foreach (var name in peer.Filters)
        {
            if (_filters.TryGetValue(name, out var filter))
            {
                filters.Add(filter);
            }
            else
            {
                problems.Add($"{peer.Source}: BGPFilter {name} does not exist");
            }
        }

        if (filters.Count == 0 && direction == FilterDirection.Import)
        {
            return RoutePolicy.AcceptAll;
        }

        var key = string.Join("|", direction, peer.IsExternal, direction == FilterDirection.Export ? _defaultExportKey : "",
            string.Join(",", filters.Select(f => f.Name + "@" + f.Metadata.ResourceVersion)));
        if (_current.TryGetValue(key, out var policy) || _previous.TryGetValue(key, out policy))
        {
            _current[key] = policy;
            if (filters.Count > 0)
            {
                BgpFilterCompiler.Compile(filters, direction, peer.IsExternal, problems); // report problems again on every pass
            }

            return policy;
        }

        var rules = BgpFilterCompiler.Compile(filters, direction, peer.IsExternal, problems).ToList();
        PolicyAction fallback;
        if (direction == FilterDirection.Import)
        {
            fallback = PolicyAction.Accept;
        }
        else
        {
            rules.AddRange(_defaultExport);
            fallback = _reflector ? PolicyAction.Accept : PolicyAction.Reject;
        }

        policy = rules.Count == 0 && fallback.Accepts ? RoutePolicy.AcceptAll : new RoutePolicy(rules, fallback, $"calico-{direction.ToString().ToLowerInvariant()}");
        _current[key] = policy;
        return policy;
    }
}
