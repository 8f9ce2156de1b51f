using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Nftables;

/// <summary>
/// Renders one compiled rule into nftables rule bodies (without <c>add rule</c>). A rule becomes
/// several nft rules when it must: one per IP family when it matches addresses (nft's <c>ip</c>
/// and <c>ip6</c> matches each imply their family), and one per port alternative when numeric
/// and named ports are mixed (a named port is a set lookup on address . protocol . port). Lists of
/// nets become content-named interval sets; selectors become the selection's address sets, so a
/// selector over many endpoints costs one lookup.
/// </summary>
internal sealed class RuleRenderer(NftablesPolicyOptions options)
{
    public void Render(CompiledPolicy policy, CompiledRule rule, List<string> output, Dictionary<string, NftSet> netSets)
    {
        var r = rule.Rule;
        foreach (var family in Families(rule))
        {
            var common = new StringBuilder();
            if (r.Protocol is { } protocol)
            {
                common.Append("meta l4proto ").Append(protocol.NftName).Append(' ');
            }

            if (r.NotProtocol is { } notProtocol)
            {
                common.Append("meta l4proto != ").Append(notProtocol.NftName).Append(' ');
            }

            AppendIcmp(common, r);
            var sourceNets = new List<string> { "" };
            var destinationNets = new List<string> { "" };
            if (family != 0)
            {
                if (!UsesAddresses(rule))
                {
                    // Address matches imply their family (nft adds the dependency); only a bare ipVersion needs it spelt out.
                    common.Append(family == 4 ? "meta nfproto ipv4 " : "meta nfproto ipv6 ");
                }

                AppendAddresses(common, rule.Source, family, "saddr", netSets);
                AppendAddresses(common, rule.Destination, family, "daddr", netSets);
                AppendNamedNotPorts(common, rule.Source, family, "saddr", "sport");
                AppendNamedNotPorts(common, rule.Destination, family, "daddr", "dport");
                sourceNets = NetAlternatives(rule.Source, family, "saddr", netSets);
                destinationNets = NetAlternatives(rule.Destination, family, "daddr", netSets);
            }

            AppendNumericNotPorts(common, rule.Source, "sport", netSets);
            AppendNumericNotPorts(common, rule.Destination, "dport", netSets);
            var prefix = common.ToString();
            var icmps = IcmpAlternatives(r);
            foreach (var sourceNet in sourceNets)
            {
                foreach (var destinationNet in destinationNets)
                {
                    foreach (var sourcePorts in PortAlternatives(rule.Source, family, "saddr", "sport", netSets))
                    {
                        foreach (var destinationPorts in PortAlternatives(rule.Destination, family, "daddr", "dport", netSets))
                        {
                            foreach (var icmp in icmps)
                            {
                                output.Add(prefix + icmp + sourceNet + destinationNet + sourcePorts + destinationPorts + Verdict(policy, rule));
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>0 = family-independent; else the IP versions the rule can match, given its
    /// ipVersion, its nets and its ICMP protocol. A family that cannot match gets no rule.</summary>
    private List<int> Families(CompiledRule rule) => [.. AllFamilies(rule).Where(f => f == 0 || options.IpVersions.Contains(f))];

    private static List<int> AllFamilies(CompiledRule rule)
    {
        var r = rule.Rule;
        var usesAddresses = UsesAddresses(rule);
        var icmpFamily = r.Protocol == Protocol.Icmp ? 4 : r.Protocol == Protocol.IcmpV6 ? 6 : 0;
        if (!usesAddresses)
        {
            return [r.IpVersion ?? icmpFamily];
        }

        var families = new List<int>();
        foreach (var family in new[] { 4, 6 })
        {
            if ((r.IpVersion is { } v && v != family) || (icmpFamily != 0 && icmpFamily != family))
            {
                continue;
            }

            var af = family == 4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
            if ((rule.Source.Match.Nets.Count > 0 && !rule.Source.Match.Nets.Any(n => n.BaseAddress.AddressFamily == af))
                || (rule.Destination.Match.Nets.Count > 0 && !rule.Destination.Match.Nets.Any(n => n.BaseAddress.AddressFamily == af)))
            {
                continue;
            }

            families.Add(family);
        }

        return families;
    }

    private static bool UsesAddresses(CompiledRule rule) =>
        rule.Source.Match.Nets.Count + rule.Source.Match.NotNets.Count + rule.Destination.Match.Nets.Count + rule.Destination.Match.NotNets.Count > 0
        || rule.Selections.Any() || rule.NamedPortSelections.Any();

    private static void AppendIcmp(StringBuilder text, Rule r)
    {
        var keyword = r.Protocol == Protocol.IcmpV6 ? "icmpv6" : "icmp";
        if (r.Icmp is { } icmp)
        {
            text.Append(CultureInfo.InvariantCulture, $"{keyword} type {icmp.Type} ");
            if (icmp.Code is { } code)
            {
                text.Append(CultureInfo.InvariantCulture, $"{keyword} code {code} ");
            }
        }

        if (r.NotIcmp is { Code: null } notIcmp)
        {
            text.Append(CultureInfo.InvariantCulture, $"{keyword} type != {notIcmp.Type} ");
        }
    }

    /// <summary>notICMP with a code means "not (this type and this code)" = "another type, or this
    /// type with another code": two alternatives instead of an anonymous concatenated set.</summary>
    private static List<string> IcmpAlternatives(Rule r)
    {
        if (r.NotIcmp is not { Code: { } code } notIcmp)
        {
            return [""];
        }

        var keyword = r.Protocol == Protocol.IcmpV6 ? "icmpv6" : "icmp";
        return
        [
            string.Create(CultureInfo.InvariantCulture, $"{keyword} type != {notIcmp.Type} "),
            string.Create(CultureInfo.InvariantCulture, $"{keyword} type {notIcmp.Type} {keyword} code != {code} "),
        ];
    }

    private static void AppendAddresses(StringBuilder text, CompiledSide side, int family, string field, Dictionary<string, NftSet> netSets)
    {
        var ip = family == 4 ? "ip" : "ip6";
        var af = family == 4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var notNets = Kept(side.Match.NotNets.Where(n => n.BaseAddress.AddressFamily == af).ToList());
        if (notNets.Count > InlineNetLimit)
        {
            text.Append(ip).Append(' ').Append(field).Append(" != @").Append(NetSet(notNets, family, netSets)).Append(' ');
        }
        else
        {
            foreach (var net in notNets)
            {
                text.Append(ip).Append(' ').Append(field).Append(" != ").Append(net).Append(' ');
            }
        }

        if (side.Selection is not null)
        {
            text.Append(ip).Append(' ').Append(field).Append(" @").Append(NftNames.SelectionSet(side.Selection.Id, family)).Append(' ');
        }

        if (side.NotSelection is not null)
        {
            text.Append(ip).Append(' ').Append(field).Append(" != @").Append(NftNames.SelectionSet(side.NotSelection.Id, family)).Append(' ');
        }
    }

    private static void AppendNumericNotPorts(StringBuilder text, CompiledSide side, string field, Dictionary<string, NftSet> sets)
    {
        if (side.NumericNotPorts.Count == 0)
        {
            return;
        }

        // "none of these ports": one != match per entry group, all ANDed in the same rule.
        foreach (var group in PortGroups(side.NumericNotPorts, sets))
        {
            text.Append("th ").Append(field).Append(" != ").Append(group).Append(' ');
        }
    }

    private static void AppendNamedNotPorts(StringBuilder text, CompiledSide side, int family, string addressField, string portField)
    {
        foreach (var named in side.NamedNotPorts)
        {
            text.Append(NamedPortLookup(named, family, addressField, portField, negate: true)).Append(' ');
        }
    }

    /// <summary>The ways one side's <c>ports</c> can match (ORed by emitting one rule per alternative).</summary>
    private static List<string> PortAlternatives(CompiledSide side, int family, string addressField, string portField, Dictionary<string, NftSet> sets)
    {
        if (!side.HasPorts)
        {
            return [""];
        }

        var alternatives = new List<string>();
        foreach (var group in PortGroups(side.NumericPorts, sets))
        {
            alternatives.Add($"th {portField} {group} ");
        }

        // A family-independent rule cannot have named ports (they make it address-dependent).
        foreach (var named in side.NamedPorts)
        {
            alternatives.Add(NamedPortLookup(named, family, addressField, portField, negate: false) + " ");
        }

        return alternatives;
    }

    private static string NamedPortLookup(NamedPortSelection named, int family, string addressField, string portField, bool negate) =>
        $"{(family == 4 ? "ip" : "ip6")} {addressField} . meta l4proto . th {portField} {(negate ? "!= " : "")}@{NftNames.NamedPortSet(named.Id, family)}";

    /// <summary>
    /// Port lists as nft matches. No anonymous sets: the kernel binds each one to its rule by
    /// scanning the whole transaction, which made a 10k-policy apply quadratic. A single port or
    /// range is inline; several single ports share one content-named hash set; each range is
    /// its own alternative (ranges in a set would make it an interval set, whose elements nft
    /// fetches on every transaction) unless there are more than <see cref="InlineNetLimit"/>.
    /// </summary>
    private static List<string> PortGroups(IReadOnlyList<PortMatch> ports, Dictionary<string, NftSet> sets)
    {
        var merged = NormalizeRanges(ports).ToList();
        var singles = merged.Where(p => !p.Contains('-', StringComparison.Ordinal)).ToList();
        var ranges = merged.Where(p => p.Contains('-', StringComparison.Ordinal)).ToList();
        if (ranges.Count > InlineNetLimit)
        {
            return ["@" + ContentSet("p", "inet_service", interval: true, merged, sets)];
        }

        var groups = new List<string>();
        if (singles.Count == 1)
        {
            groups.Add(singles[0]);
        }
        else if (singles.Count > 1)
        {
            groups.Add("@" + ContentSet("p", "inet_service", interval: false, singles, sets));
        }

        groups.AddRange(ranges);
        return groups;
    }

    /// <summary>A named set holding exactly <paramref name="elements"/>, named by its content so
    /// every rule with the same list shares it; created with its first user, deleted with its last.</summary>
    private static string ContentSet(string prefix, string type, bool interval, List<string> elements, Dictionary<string, NftSet> sets)
    {
        var name = $"{prefix}-{CompiledPolicy.HashId(type + ":" + string.Join(",", elements))}";
        if (!sets.ContainsKey(name))
        {
            sets[name] = new NftSet(name, type, interval, elements.ToHashSet(StringComparer.Ordinal));
        }

        return name;
    }

    /// <summary>Merges overlapping port ranges: nft rejects overlapping intervals in one set.</summary>
    private static IEnumerable<string> NormalizeRanges(IReadOnlyList<PortMatch> ports)
    {
        var sorted = ports.Select(p => (First: (int)p.First, Last: (int)p.Last)).OrderBy(p => p.First).ToList();
        var merged = new List<(int First, int Last)>();
        foreach (var p in sorted)
        {
            if (merged.Count > 0 && p.First <= merged[^1].Last + 1)
            {
                merged[^1] = (merged[^1].First, Math.Max(merged[^1].Last, p.Last));
            }
            else
            {
                merged.Add(p);
            }
        }

        return merged.Select(p => p.First == p.Last
            ? p.First.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{p.First}-{p.Last}"));
    }

    /// <summary>
    /// The ways a side's nets can match (ORed by one rule per alternative). Short lists are inline
    /// prefix matches: every interval set in the table makes nft fetch its elements on each later
    /// transaction, so only lists longer than <see cref="InlineNetLimit"/> get a (content-named,
    /// shared) interval set, where one lookup replaces many rules.
    /// </summary>
    private static List<string> NetAlternatives(CompiledSide side, int family, string field, Dictionary<string, NftSet> netSets)
    {
        var af = family == 4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var nets = Kept(side.Match.Nets.Where(n => n.BaseAddress.AddressFamily == af).ToList());
        var ip = family == 4 ? "ip" : "ip6";
        if (nets.Count == 0)
        {
            return [""];
        }

        return nets.Count > InlineNetLimit
            ? [$"{ip} {field} @{NetSet(nets, family, netSets)} "]
            : [.. nets.Select(n => $"{ip} {field} {n} ")];
    }

    /// <summary>Lists with more nets than this become a named interval set.</summary>
    internal const int InlineNetLimit = 4;

    /// <summary>The nets of a list that are not inside another one of the list (same match, no
    /// overlapping intervals, which nft rejects in one set), sorted for stable names.</summary>
    private static List<string> Kept(List<IPNetwork> nets) =>
        [.. nets.Distinct()
            .Where(n => !nets.Any(o => o != n && o.PrefixLength < n.PrefixLength && o.Contains(n.BaseAddress)))
            .Select(n => n.ToString())
            .Order(StringComparer.Ordinal)];

    private static string NetSet(List<string> kept, int family, Dictionary<string, NftSet> netSets)
    {
        var name = NftNames.NetSet(string.Join(",", kept), family);
        if (!netSets.ContainsKey(name))
        {
            netSets[name] = new NftSet(name, family == 4 ? "ipv4_addr" : "ipv6_addr", Interval: true, kept.ToHashSet(StringComparer.Ordinal));
        }

        return name;
    }

    private string Verdict(CompiledPolicy policy, CompiledRule rule)
    {
        var comment = Quote($"{policy.Key} {rule.Direction.ToString().ToLowerInvariant()}[{rule.Index}]");
        return rule.Rule.Action switch
        {
            // goto: the shared chain sets the bit and ends, which returns to the endpoint chain that
            // jumped here: one expression per rule instead of four (load, or, store, return).
            PolicyAction.Allow => $"goto {NftNames.AcceptChain} comment {comment}",
            PolicyAction.Pass => $"goto {NftNames.PassChain} comment {comment}",
            PolicyAction.Deny => $"drop comment {comment}",
            _ => $"log prefix {Quote(LogPrefix(policy, rule))} comment {comment}",
        };
    }

    private string LogPrefix(CompiledPolicy policy, CompiledRule rule)
    {
        var prefix = $"{options.LogPrefix} {policy.Policy.Tier}/{policy.Key} {rule.Index}: ";
        return prefix.Length <= 127 ? prefix : prefix[..126] + " ";
    }

    /// <summary>nft strings cannot hold double quotes; comments are limited to 128 bytes.</summary>
    internal static string Quote(string text)
    {
        var clean = text.Replace('"', '\'');
        return "\"" + (clean.Length > 120 ? clean[..120] : clean) + "\"";
    }
}
