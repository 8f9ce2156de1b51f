using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Nftables;

/// <summary>
/// Renders chains. The packet path in the owned table:
/// <code>
/// forward (hook forward): ct established,related accept; ct invalid drop;
///   unknown workload interface drop; iifname vmap @from-endpoint (egress of the sender);
///   oifname vmap @to-endpoint (ingress of the receiver); clear our mark bits; accept.
/// in-HASH / eg-HASH (shared by endpoints with the same policies): clear mark bits; per tier: jump
///   to each policy chain in order while neither the accept nor the pass bit is set; at the end
///   of a tier with a Deny default, drop unless one is set; clear pass; at the end, return (allowed).
/// pi-ID / po-ID (one per policy and direction, shared by every endpoint): the rules; Allow goes to
///   mark-accept (sets the accept bit; its end returns to the endpoint chain), Pass to mark-pass
///   (sets the pass bit), Deny drops, Log logs.
/// input / output (host): failsafe ports first, then workload-to-host traffic through the sender's
///   egress chain and the endpoint-to-host action.
/// </code>
/// The evaluator (<see cref="Evaluation.PolicyEvaluator"/>) walks the same structure.
/// </summary>
internal sealed class ChainRenderer(NftablesPolicyOptions options)
{
    private readonly RuleRenderer _rules = new(options);

    private string ClearBoth => $"meta mark set meta mark & {options.Hex(~(options.AcceptMark | options.PassMark))}";

    public NftChain RenderPolicyChain(CompiledPolicy policy, Direction direction, Dictionary<string, NftSet> netSets)
    {
        var rules = new List<string>();
        foreach (var rule in policy.RulesFor(direction))
        {
            _rules.Render(policy, rule, rules, netSets);
        }

        return new NftChain(NftNames.PolicyChain(policy, direction), null, rules);
    }

    /// <summary>
    /// The policy of one endpoint and direction: one guarded jump per policy (skipped once a
    /// policy set the accept or pass bit), a drop at the end of each Deny-default tier unless
    /// accept or pass is set, the pass bit cleared between tiers (the accept bit stays, so every
    /// later jump and drop is skipped and the chain returns: allowed).
    /// </summary>
    public NftChain RenderEndpointChain(Direction direction, IReadOnlyList<CompiledPolicy> policies, PolicyOrdering ordering)
    {
        var both = options.Hex(options.AcceptMark | options.PassMark);
        var rules = new List<string> { ClearBoth };
        var covering = policies.Where(p => p.Policy.Covers(direction)).ToList();
        var index = 0;
        while (index < covering.Count)
        {
            var tier = ordering.TierOf(covering[index]);
            for (; index < covering.Count && ordering.TierOf(covering[index]).Name == tier.Name; index++)
            {
                var chain = NftNames.PolicyChain(covering[index], direction);
                var comment = RuleRenderer.Quote($"{tier.Name}/{covering[index].Key}");
                rules.Add($"meta mark & {both} == 0x00000000 jump {chain} comment {comment}");
            }

            if (tier.DefaultAction == PolicyAction.Deny)
            {
                rules.Add($"meta mark & {both} == 0x00000000 drop comment {RuleRenderer.Quote($"tier {tier.Name} default deny")}");
            }

            if (index < covering.Count)
            {
                rules.Add($"meta mark set meta mark & {options.Hex(~options.PassMark)}");
            }
        }

        var name = NftNames.EndpointChain(direction, CompiledPolicy.HashId(string.Join("\n", rules)));
        return new NftChain(name, null, rules);
    }

    public IEnumerable<NftChain> RenderBaseChains()
    {
        var unknown = options.WorkloadInterfacePrefixes.Select(p => $"\"{p}*\"").ToList();
        var forward = new List<string>
        {
            "ct state established,related accept",
            "ct state invalid drop",
        };
        foreach (var prefix in unknown)
        {
            forward.Add($"iifname {prefix} iifname != @{NftNames.EndpointInterfaces} drop comment \"unknown workload interface\"");
            forward.Add($"oifname {prefix} oifname != @{NftNames.EndpointInterfaces} drop comment \"unknown workload interface\"");
        }

        forward.Add($"iifname vmap @{NftNames.FromEndpointMap}");
        forward.Add($"oifname vmap @{NftNames.ToEndpointMap}");
        forward.Add(ClearBoth);
        yield return new NftChain(NftNames.ForwardChain, "type filter hook forward priority filter; policy accept;", forward);

        var input = new List<string> { "ct state established,related accept" };
        input.AddRange(Failsafe(options.FailsafeInbound, "dport", "failsafe inbound"));
        // IPv6 neighbour discovery must reach the host whatever the endpoint-to-host action
        // (neighbor solicit 135, advert 136, router solicit 133; RFC 4861 section 4). One rule each:
        // the table holds no anonymous sets, so a whole apply can go over netlink.
        foreach (var type in new[] { 135, 136, 133 })
        {
            input.Add($"meta l4proto ipv6-icmp icmpv6 type {type} accept");
        }

        input.Add($"iifname vmap @{NftNames.FromEndpointMap}");
        input.Add(ClearBoth);
        if (options.EndpointToHostAction == PolicyAction.Deny)
        {
            input.Add($"iifname @{NftNames.EndpointInterfaces} drop comment \"endpoint to host\"");
        }

        yield return new NftChain(NftNames.InputChain, "type filter hook input priority filter; policy accept;", input);

        var output = new List<string> { "ct state established,related accept" };
        output.AddRange(Failsafe(options.FailsafeOutbound, "dport", "failsafe outbound"));
        yield return new NftChain(NftNames.OutputChain, "type filter hook output priority filter; policy accept;", output);

        yield return new NftChain(NftNames.AcceptChain, null, [$"meta mark set meta mark | {options.Hex(options.AcceptMark)}"]);
        yield return new NftChain(NftNames.PassChain, null, [$"meta mark set meta mark | {options.Hex(options.PassMark)}"]);
    }

    /// <summary>One rule per failsafe port or range (a handful; no anonymous set, see the ND rules).</summary>
    private static IEnumerable<string> Failsafe(IReadOnlyList<FailsafePort> ports, string field, string comment)
    {
        foreach (var port in ports)
        {
            yield return $"meta l4proto {port.Protocol.NftName} th {field} {port.NftPorts} accept comment \"{comment}\"";
        }
    }
}
