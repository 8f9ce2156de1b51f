using System.Net;
using Tabby.Bgp.Policy;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Datastore.Resources.Calico;
using PolicyRule = Tabby.Bgp.Policy.PolicyRule;

namespace Tabby.Node.Bgp;

/// <summary>Which way a filter applies.</summary>
public enum FilterDirection
{
    Import,
    Export,
}

/// <summary>
/// Turns Calico BGPFilter rules into Tabby route policy rules for one peer and direction. As in
/// Calico, the filters a BGPPeer lists run in their order before the default behaviour, the rules
/// of a filter in theirs, and the first rule that matches decides: Accept (after its operations)
/// or Reject. v4 rules only see IPv4 routes and v6 rules IPv6 ones. A rule for the other peer type
/// (eBGP/iBGP) is left out for this peer. A rule with an <c>interface</c> matches routes taken
/// from that interface; Tabby exports no interface routes, so such a rule matches nothing.
/// A rule Tabby cannot honour (a <c>priority</c> match) or that is malformed is reported and left
/// out; the rest of the filter still applies.
/// </summary>
public static class BgpFilterCompiler
{
    public static IReadOnlyList<PolicyRule> Compile(IEnumerable<BGPFilter> filters, FilterDirection direction, bool ebgpPeer, List<string> problems)
    {
        var rules = new List<PolicyRule>();
        foreach (var filter in filters)
        {
            var (v4, v6, v4Field, v6Field) = direction == FilterDirection.Import
                ? (filter.Spec.ImportV4, filter.Spec.ImportV6, "importV4", "importV6")
                : (filter.Spec.ExportV4, filter.Spec.ExportV6, "exportV4", "exportV6");
            Add(rules, filter.Name, v4Field, v4, Afi.Ipv4, ebgpPeer, problems);
            Add(rules, filter.Name, v6Field, v6, Afi.Ipv6, ebgpPeer, problems);
        }

        return rules;
    }

    private static void Add(List<PolicyRule> rules, string filter, string field, List<BGPFilterRule>? source, Afi family, bool ebgpPeer, List<string> problems)
    {
        for (var i = 0; i < (source?.Count ?? 0); i++)
        {
            var where = $"BGPFilter {filter} spec.{field}[{i}]";
            try
            {
                if (Convert(source![i], family, ebgpPeer, where, problems) is { } rule)
                {
                    rules.Add(rule);
                }
            }
            catch (FormatException e)
            {
                problems.Add(e.Message);
            }
        }
    }

    private static PolicyRule? Convert(BGPFilterRule rule, Afi family, bool ebgpPeer, string where, List<string> problems)
    {
        var accepts = rule.Action switch
        {
            "Accept" => true,
            "Reject" => false,
            _ => throw new FormatException($"{where}.action: \"{rule.Action}\" is not Accept or Reject"),
        };

        switch (rule.PeerType)
        {
            case null or "":
                break;
            case "eBGP" or "iBGP":
                if ((rule.PeerType == "eBGP") != ebgpPeer)
                {
                    return null; // applies to the other kind of peer only
                }

                break;
            default:
                throw new FormatException($"{where}.peerType: \"{rule.PeerType}\" is not eBGP or iBGP");
        }

        if (rule.Priority is not null)
        {
            problems.Add($"{where}.priority: matching on route priority is not supported by Tabby; rule left out");
            return null;
        }

        if (!string.IsNullOrEmpty(rule.Interface))
        {
            return null; // no interface routes are exported (see the class comment)
        }

        var match = new PolicyMatch
        {
            Family = family,
            Prefixes = Prefix(rule, family, where) is { } prefix ? [prefix] : [],
            AsPathPrefix = rule.AsPathPrefix ?? [],
            LearnedFromPeer = rule.Source switch
            {
                null or "" => null,
                "RemotePeers" => true,
                _ => throw new FormatException($"{where}.source: \"{rule.Source}\" is not RemotePeers"),
            },
        };
        var values = rule.Communities?.Values ?? [];
        if (values.Count > 1)
        {
            throw new FormatException($"{where}.communities.values: Calico allows one value, got {values.Count}");
        }

        foreach (var value in values)
        {
            var community = CommunityValue.Parse(value, $"{where}.communities.values");
            match = community.Standard is { } standard ? match with { Communities = [standard] } : match with { LargeCommunities = [community.Large!.Value] };
        }

        return new PolicyRule(match, accepts ? Operations(rule, where, problems) : PolicyAction.Reject);
    }

    private static PrefixMatch? Prefix(BGPFilterRule rule, Afi family, string where)
    {
        if (string.IsNullOrEmpty(rule.Cidr))
        {
            if (!string.IsNullOrEmpty(rule.MatchOperator) || rule.PrefixLength is not null)
            {
                throw new FormatException($"{where}: matchOperator and prefixLength need a cidr");
            }

            return null;
        }

        if (!IPNetwork.TryParse(rule.Cidr, out var network) || network.BaseAddress.AddressFamily != (family == Afi.Ipv4
                ? System.Net.Sockets.AddressFamily.InterNetwork
                : System.Net.Sockets.AddressFamily.InterNetworkV6))
        {
            throw new FormatException($"{where}.cidr: \"{rule.Cidr}\" is not an {(family == Afi.Ipv4 ? "IPv4" : "IPv6")} CIDR");
        }

        var prefix = BgpPrefix.Parse(network.ToString());
        var maximum = family == Afi.Ipv4 ? 32 : 128;
        var min = rule.PrefixLength?.Min ?? prefix.Length;
        var max = rule.PrefixLength?.Max ?? maximum;
        if (min < prefix.Length || max > maximum || min > max)
        {
            throw new FormatException($"{where}.prefixLength: min {min} / max {max} must lie within {prefix.Length}-{maximum} with min <= max");
        }

        return rule.MatchOperator switch
        {
            "Equal" => PrefixMatch.Exact(prefix),
            "NotEqual" => PrefixMatch.Exact(prefix) with { Negate = true },
            "In" => new PrefixMatch(prefix, min, max),
            "NotIn" => new PrefixMatch(prefix, min, max, Negate: true),
            _ => throw new FormatException($"{where}.matchOperator: \"{rule.MatchOperator}\" is not Equal, NotEqual, In or NotIn"),
        };
    }

    private static PolicyAction Operations(BGPFilterRule rule, string where, List<string> problems)
    {
        var action = PolicyAction.Accept;
        for (var i = 0; i < (rule.Operations?.Count ?? 0); i++)
        {
            var operation = rule.Operations![i];
            var field = $"{where}.operations[{i}]";
            if (operation.AddCommunity is { } add)
            {
                var community = CommunityValue.Parse(add.Value, field + ".addCommunity.value");
                action = community.Standard is { } standard
                    ? action with { AddCommunities = [.. action.AddCommunities, standard] }
                    : action with { AddLargeCommunities = [.. action.AddLargeCommunities, community.Large!.Value] };
            }
            else if (operation.PrependAsPath is { } prepend)
            {
                if (prepend.Prefix.Count == 0 || prepend.Prefix.Any(a => a == 0))
                {
                    throw new FormatException($"{field}.prependASPath.prefix: needs one or more non-zero AS numbers");
                }

                action = action with { PrependAsns = [.. prepend.Prefix, .. action.PrependAsns] };
            }
            else if (operation.SetPriority is not null)
            {
                problems.Add($"{field}.setPriority: kernel route priority is not supported by Tabby; operation ignored");
            }
            else
            {
                throw new FormatException($"{field}: needs one of addCommunity, prependASPath, setPriority");
            }
        }

        return action;
    }
}
