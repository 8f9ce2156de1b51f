using System.Net;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Evaluation;

/// <summary>
/// Decides a flow the way the rendered dataplane does, from the same compiled policies and the
/// same ordering: egress policy of the source endpoint, then ingress policy of the destination
/// endpoint; per endpoint and direction, tier by tier, policy by policy, rule by rule.
/// <list type="bullet">
/// <item>No policy covering the direction applies: allowed (the endpoint is not isolated).</item>
/// <item>Allow ends the direction (allowed); Deny drops; Log is recorded and evaluation continues;
/// Pass skips the rest of the tier.</item>
/// <item>A tier with applicable policies and no decision takes its default action (Deny or Pass).</item>
/// <item>After the last tier (only reachable by Pass): allowed, as Calico's namespace profile does.</item>
/// </list>
/// </summary>
public sealed class PolicyEvaluator(PolicyCalculator calculator)
{
    public Verdict Evaluate(Flow flow)
    {
        var steps = new List<TraceStep>();
        var source = calculator.EndpointByAddress(flow.Source);
        var destination = calculator.EndpointByAddress(flow.Destination);
        if (source is null)
        {
            steps.Add(new TraceStep(Direction.Egress, flow.Source.ToString(), null, null, null, null, PolicyAction.Allow, TraceReason.NotAnEndpoint));
        }
        else if (!EvaluateDirection(source, Direction.Egress, flow, source, destination, steps))
        {
            return new Verdict(false, steps);
        }

        if (destination is null)
        {
            steps.Add(new TraceStep(Direction.Ingress, flow.Destination.ToString(), null, null, null, null, PolicyAction.Allow, TraceReason.NotAnEndpoint));
            return new Verdict(true, steps);
        }

        return new Verdict(EvaluateDirection(destination, Direction.Ingress, flow, source, destination, steps), steps);
    }

    private bool EvaluateDirection(Endpoint endpoint, Direction direction, Flow flow, Endpoint? source, Endpoint? destination,
        List<TraceStep> steps)
    {
        var policies = calculator.PoliciesFor(endpoint);
        var any = false;
        var index = 0;
        while (index < policies.Count)
        {
            var tier = calculator.Ordering.TierOf(policies[index]);
            var tierHasPolicies = false;
            var passed = false;
            for (; index < policies.Count && calculator.Ordering.TierOf(policies[index]).Name == tier.Name; index++)
            {
                var policy = policies[index];
                if (passed || !policy.Policy.Covers(direction))
                {
                    continue;
                }

                tierHasPolicies = true;
                any = true;
                foreach (var rule in policy.RulesFor(direction))
                {
                    if (!RuleMatcher.Matches(rule, flow, source, destination, calculator))
                    {
                        continue;
                    }

                    var action = rule.Rule.Action;
                    steps.Add(new TraceStep(direction, endpoint.Key, tier.Name, policy.Key, rule.Index, rule.Rule.Origin, action, TraceReason.RuleMatched));
                    if (action == PolicyAction.Allow)
                    {
                        return true;
                    }

                    if (action == PolicyAction.Deny)
                    {
                        return false;
                    }

                    if (action == PolicyAction.Pass)
                    {
                        passed = true;
                        break;
                    }
                }
            }

            if (tierHasPolicies && !passed)
            {
                steps.Add(new TraceStep(direction, endpoint.Key, tier.Name, null, null, null, tier.DefaultAction, TraceReason.TierDefault));
                if (tier.DefaultAction == PolicyAction.Deny)
                {
                    return false;
                }
            }
        }

        steps.Add(new TraceStep(direction, endpoint.Key, null, null, null, null, PolicyAction.Allow,
            any ? TraceReason.AllTiersPassed : TraceReason.NotIsolated));
        return true;
    }
}
