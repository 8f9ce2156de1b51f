namespace Tabby.Ipam.Pools;

/// <summary>
/// Evaluates a Calico selector expression (pool nodeSelector / namespaceSelector) against labels.
/// The agent supplies the policy engine's selector implementation, so IPAM and policy agree on
/// the language.
/// </summary>
public interface ISelectorMatcher
{
    /// <summary>True when <paramref name="selector"/> selects an object with <paramref name="labels"/>;
    /// an empty or null selector selects everything (Calico's default <c>all()</c>).</summary>
    bool Matches(string? selector, IReadOnlyDictionary<string, string> labels);
}
