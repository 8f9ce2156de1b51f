using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Calculation;

/// <summary>
/// Calico's evaluation order: tiers by order (missing = last, ties by name), then policies inside
/// a tier by order (missing = last, ties by name). A policy naming an unknown tier sorts into a
/// synthetic last tier that denies by default, so a typo never fails open.
/// </summary>
public sealed class PolicyOrdering(Func<string, Tier?> tierLookup) : IComparer<CompiledPolicy>
{
    public Tier TierOf(CompiledPolicy policy) =>
        tierLookup(policy.Policy.Tier) ?? new Tier(policy.Policy.Tier, null, PolicyAction.Deny);

    public int Compare(CompiledPolicy? x, CompiledPolicy? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var tx = TierOf(x);
        var ty = TierOf(y);
        var c = CompareOrder(tx.Order, ty.Order);
        if (c == 0)
        {
            c = string.CompareOrdinal(tx.Name, ty.Name);
        }

        if (c == 0)
        {
            c = CompareOrder(x.Policy.Order, y.Policy.Order);
        }

        return c != 0 ? c : string.CompareOrdinal(x.Key, y.Key);
    }

    private static int CompareOrder(double? a, double? b) =>
        (a ?? double.PositiveInfinity).CompareTo(b ?? double.PositiveInfinity);
}
