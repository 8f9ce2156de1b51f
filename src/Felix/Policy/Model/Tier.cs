namespace Tabby.Felix.Policy.Model;

/// <summary>
/// A tier: policies are grouped by tier, tiers run by <see cref="Order"/> (missing = last, ties by
/// name). When policies of a tier apply to an endpoint but none decides, <see cref="DefaultAction"/>
/// is taken: Deny, or Pass to the next tier.
/// </summary>
public sealed record Tier(string Name, double? Order, PolicyAction DefaultAction = PolicyAction.Deny)
{
    /// <summary>Calico's tier for policies that name none (and for Kubernetes NetworkPolicy); order 1,000,000.</summary>
    public static readonly Tier Default = new("default", 1_000_000);

    public void Validate()
    {
        if (DefaultAction is not (PolicyAction.Deny or PolicyAction.Pass))
        {
            throw new PolicyValidationException("spec.defaultAction", $"must be Deny or Pass, not {DefaultAction}");
        }

        PolicyNames.ValidateName(Name, "metadata.name");
    }
}
