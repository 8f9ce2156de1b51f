using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Model;
using Tabby.Felix.Policy.Nftables;

namespace Tabby.Benchmarks.Policy;

/// <summary>
/// The same policy as an iptables-mode agent would program it (Calico's layout, IPv4 only): ipsets
/// for selectors (hash:ip), named ports (hash:ip,port) and net lists (hash:net); one chain per
/// policy and direction with mark-and-return for Allow/Pass; per-endpoint chains that jump to the
/// policy chains while no mark is set; a linear dispatch from FORWARD. Produced as one
/// <c>ipset restore</c> script and one <c>iptables-restore</c> script, for a side-by-side apply.
/// </summary>
internal static class IptablesEquivalent
{
    private const string Accept = "0x10000";
    private const string Pass = "0x20000";

    public static (string Ipsets, string Iptables, int Rules) Render(PolicyCalculator calculator)
    {
        var ipsets = new StringBuilder();
        var netSets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var state in calculator.Selections)
        {
            var name = NftNames.SelectionSet(state.Selection.Id, 4);
            ipsets.Append("create ").Append(name).Append(" hash:ip family inet maxelem 1048576\n");
            foreach (var key in state.Members)
            {
                foreach (var a in calculator.Endpoints[key].Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork))
                {
                    ipsets.Append("add ").Append(name).Append(' ').Append(a).Append('\n');
                }
            }
        }

        foreach (var state in calculator.NamedPortSets)
        {
            var name = NftNames.NamedPortSet(state.Selection.Id, 4);
            ipsets.Append("create ").Append(name).Append(" hash:ip,port family inet maxelem 1048576\n");
            foreach (var (key, port) in state.Members)
            {
                foreach (var a in calculator.Endpoints[key].Addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork))
                {
                    ipsets.Append(CultureInfo.InvariantCulture, $"add {name} {a},{state.Selection.Protocol.NftName}:{port}\n");
                }
            }
        }

        var table = new StringBuilder("*filter\n");
        var rules = new StringBuilder();
        var ruleCount = 0;
        void Rule(string chain, string text)
        {
            rules.Append("-A ").Append(chain).Append(' ').Append(text).Append('\n');
            ruleCount++;
        }

        table.Append(":tb-FORWARD - [0:0]\n");
        Rule("FORWARD", "-j tb-FORWARD");
        Rule("tb-FORWARD", "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        Rule("tb-FORWARD", "-m conntrack --ctstate INVALID -j DROP");
        foreach (var policy in calculator.Policies.Values)
        {
            foreach (var direction in new[] { Direction.Ingress, Direction.Egress })
            {
                if (!policy.Policy.Covers(direction))
                {
                    continue;
                }

                var chain = NftNames.PolicyChain(policy, direction);
                table.Append(':').Append(chain).Append(" - [0:0]\n");
                foreach (var rule in policy.RulesFor(direction))
                {
                    foreach (var match in Matches(rule, ipsets, netSets))
                    {
                        switch (rule.Rule.Action)
                        {
                            case PolicyAction.Allow:
                                Rule(chain, $"{match}-j MARK --set-xmark {Accept}/{Accept}");
                                Rule(chain, $"-m mark --mark {Accept}/{Accept} -j RETURN");
                                break;
                            case PolicyAction.Pass:
                                Rule(chain, $"{match}-j MARK --set-xmark {Pass}/{Pass}");
                                Rule(chain, $"-m mark --mark {Pass}/{Pass} -j RETURN");
                                break;
                            case PolicyAction.Deny:
                                Rule(chain, $"{match}-j DROP");
                                break;
                            default:
                                Rule(chain, $"{match}-j LOG --log-prefix \"tabby-policy \"");
                                break;
                        }
                    }
                }
            }
        }

        foreach (var endpoint in calculator.LocalEndpoints)
        {
            var policies = calculator.PoliciesFor(endpoint);
            foreach (var direction in new[] { Direction.Ingress, Direction.Egress })
            {
                var chain = (direction == Direction.Ingress ? "tw-" : "fw-") + endpoint.InterfaceName;
                table.Append(':').Append(chain).Append(" - [0:0]\n");
                Rule("tb-FORWARD", $"{(direction == Direction.Ingress ? "-o" : "-i")} {endpoint.InterfaceName} -g {chain}");
                Rule(chain, "-j MARK --set-xmark 0x0/0x30000");
                var covering = policies.Where(p => p.Policy.Covers(direction)).ToList();
                string? tier = null;
                foreach (var p in covering)
                {
                    var pTier = calculator.Ordering.TierOf(p);
                    if (tier is not null && tier != pTier.Name)
                    {
                        Rule(chain, "-m mark --mark 0x0/0x20000 -j DROP");
                        Rule(chain, "-j MARK --set-xmark 0x0/0x20000");
                    }

                    tier = pTier.Name;
                    Rule(chain, $"-m mark --mark 0x0/0x30000 -j {NftNames.PolicyChain(p, direction)}");
                    Rule(chain, $"-m mark --mark {Accept}/{Accept} -j RETURN");
                }

                if (tier is not null)
                {
                    Rule(chain, "-m mark --mark 0x0/0x20000 -j DROP");
                }
            }
        }

        // Net-list sets are declared after the loop found them.
        foreach (var (name, text) in netSets)
        {
            ipsets.Append(text);
        }

        table.Append(rules).Append("COMMIT\n");
        return (ipsets.ToString(), table.ToString(), ruleCount);
    }

    private static IEnumerable<string> Matches(CompiledRule compiled, StringBuilder ipsets, Dictionary<string, string> netSets)
    {
        var r = compiled.Rule;
        var common = new StringBuilder();
        if (r.IpVersion == 6 || r.Protocol == Protocol.IcmpV6)
        {
            yield break; // IPv4 tables only
        }

        if (r.Protocol is { } p)
        {
            common.Append("-p ").Append(p.Number).Append(' ');
        }

        if (r.NotProtocol is { } np)
        {
            common.Append("! -p ").Append(np.Number).Append(' ');
        }

        if (r.Icmp is { } icmp)
        {
            common.Append(CultureInfo.InvariantCulture, $"--icmp-type {icmp.Type}{(icmp.Code is { } c ? "/" + c : "")} ");
        }

        foreach (var (side, dir) in new[] { (compiled.Source, "src"), (compiled.Destination, "dst") })
        {
            var nets = side.Match.Nets.Where(n => n.BaseAddress.AddressFamily == AddressFamily.InterNetwork).Select(n => n.ToString()).ToList();
            if (side.Match.Nets.Count > 0 && nets.Count == 0)
            {
                yield break;
            }

            if (nets.Count > 0)
            {
                common.Append("-m set --match-set ").Append(NetSet(nets, netSets)).Append(' ').Append(dir).Append(' ');
            }

            var notNets = side.Match.NotNets.Where(n => n.BaseAddress.AddressFamily == AddressFamily.InterNetwork).Select(n => n.ToString()).ToList();
            if (notNets.Count > 0)
            {
                common.Append("-m set ! --match-set ").Append(NetSet(notNets, netSets)).Append(' ').Append(dir).Append(' ');
            }

            if (side.Selection is not null)
            {
                common.Append("-m set --match-set ").Append(NftNames.SelectionSet(side.Selection.Id, 4)).Append(' ').Append(dir).Append(' ');
            }

            if (side.NotSelection is not null)
            {
                common.Append("-m set ! --match-set ").Append(NftNames.SelectionSet(side.NotSelection.Id, 4)).Append(' ').Append(dir).Append(' ');
            }

            if (side.NumericNotPorts.Count > 0)
            {
                common.Append(dir == "src" ? "-m multiport ! --sports " : "-m multiport ! --dports ").Append(Ports(side.NumericNotPorts)).Append(' ');
            }
        }

        var alternatives = new List<string>();
        if (compiled.Destination.HasPorts)
        {
            if (compiled.Destination.NumericPorts.Count > 0)
            {
                alternatives.Add($"-m multiport --dports {Ports(compiled.Destination.NumericPorts)} ");
            }

            alternatives.AddRange(compiled.Destination.NamedPorts.Select(n => $"-m set --match-set {NftNames.NamedPortSet(n.Id, 4)} dst,dst "));
        }
        else
        {
            alternatives.Add("");
        }

        foreach (var alternative in alternatives)
        {
            yield return common + alternative;
        }
    }

    private static string Ports(IReadOnlyList<PortMatch> ports) =>
        string.Join(',', ports.Select(p => p.First == p.Last ? p.First.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{p.First}:{p.Last}")));

    private static string NetSet(List<string> nets, Dictionary<string, string> netSets)
    {
        var name = NftNames.NetSet(string.Join(",", nets.Order(StringComparer.Ordinal)), 4);
        if (!netSets.ContainsKey(name))
        {
            var text = new StringBuilder().Append("create ").Append(name).Append(" hash:net family inet\n");
            foreach (var n in nets.Distinct())
            {
                text.Append("add ").Append(name).Append(' ').Append(n).Append(" -exist\n");
            }

            netSets[name] = text.ToString();
        }

        return name;
    }
}
