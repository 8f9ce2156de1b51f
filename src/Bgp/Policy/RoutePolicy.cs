using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Policy;

/// <summary>
/// An import or export policy: ordered rules, the first match decides, otherwise the default
/// action. Unchanged routes keep their (interned) attribute set instance, so applying a policy
/// to a full table allocates only for routes it rewrites.
/// </summary>
public sealed class RoutePolicy
{
    public static readonly RoutePolicy AcceptAll = new([], PolicyAction.Accept);

    public static readonly RoutePolicy RejectAll = new([], PolicyAction.Reject);

    public RoutePolicy(IReadOnlyList<PolicyRule> rules, PolicyAction defaultAction, string name = "")
    {
        Rules = rules ?? throw new ArgumentNullException(nameof(rules));
        DefaultAction = defaultAction ?? throw new ArgumentNullException(nameof(defaultAction));
        Name = name;
        DependsOnPrefix = rules.Any(r => r.Match.Prefixes.Count > 0 || r.Match.Family is not null);
    }

    public string Name { get; }

    public IReadOnlyList<PolicyRule> Rules { get; }

    public PolicyAction DefaultAction { get; }

    /// <summary>False when the outcome depends only on the attributes (so it can be cached per attribute set).</summary>
    public bool DependsOnPrefix { get; }

    /// <summary>
    /// Returns the attributes to use (possibly the same instance) or null when rejected.
    /// <paramref name="learnedFromPeer"/> is false for routes this speaker originated.
    /// </summary>
    public PathAttributes? Apply(BgpPrefix prefix, PathAttributes attributes, uint localAs, AttributeSetInterner? interner, bool learnedFromPeer = true)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var action = DefaultAction;
        foreach (var rule in Rules)
        {
            if (Matches(rule.Match, prefix, attributes, learnedFromPeer))
            {
                action = rule.Action;
                break;
            }
        }

        if (!action.Accepts) return null;
        if (!action.Modifies) return attributes;
        var b = attributes.ToBuilder();
        foreach (var c in action.RemoveCommunities) b.Communities.RemoveAll(x => x == c);
        foreach (var c in action.AddCommunities)
            if (!b.Communities.Contains(c)) b.Communities.Add(c);
        foreach (var c in action.AddLargeCommunities)
            if (!b.LargeCommunities.Contains(c)) b.LargeCommunities.Add(c);
        if (action.SetLocalPreference is { } lp) b.LocalPref = lp;
        if (action.SetMed is { } med) b.MultiExitDisc = med;
        if (action.Prepend > 0) b.AsPath = AsPathEditing.Prepend(b.AsPath ?? AsPath.Empty, action.PrependAs ?? localAs, action.Prepend);
        for (int i = action.PrependAsns.Count - 1; i >= 0; i--) b.AsPath = AsPathEditing.Prepend(b.AsPath ?? AsPath.Empty, action.PrependAsns[i]);
        var built = b.Build();
        return interner is null ? built : interner.Intern(built);
    }

    private static bool Matches(PolicyMatch m, BgpPrefix prefix, PathAttributes a, bool learnedFromPeer)
    {
        if (m.LearnedFromPeer is { } learned && learned != learnedFromPeer) return false;
        if (m.AsPathPrefix.Count > 0 && !StartsWith(a.AsPath, m.AsPathPrefix)) return false;
        if (m.Family is { } f && prefix.Afi != f) return false;
        if (m.Prefixes.Count > 0 && !m.Prefixes.Any(p => p.Matches(prefix))) return false;
        if (m.Communities.Count > 0 && !m.Communities.Any(c => a.Communities.Contains(c))) return false;
        if (m.LargeCommunities.Count > 0 && !m.LargeCommunities.Any(c => a.LargeCommunities.Contains(c))) return false;
        if (m.AsPathContains is { } asn && (a.AsPath is null || !a.AsPath.Segments.Any(s => s.Asns.Contains(asn)))) return false;
        return true;
    }

    /// <summary>True when the path's leading ASes (across AS_SEQUENCE segments) are <paramref name="asns"/>.</summary>
    private static bool StartsWith(AsPath? path, IReadOnlyList<uint> asns)
    {
        if (path is null) return false;
        int i = 0;
        foreach (var s in path.Segments)
        {
            if (s.Type != AsPathSegmentType.AsSequence) return false;
            foreach (var a in s.Asns)
            {
                if (i == asns.Count) return true;
                if (a != asns[i++]) return false;
            }
        }

        return i == asns.Count;
    }
}
