using Tabby.Ipam.Pools;

namespace Tabby.Ipam.Tests.Support;

/// <summary>
/// Selector matching for IPAM tests: <c>all()</c>, empty, and <c>key == 'value'</c> terms joined
/// by <c>&amp;&amp;</c>. The agent injects the policy engine's full selector implementation; these
/// tests only need pools to be told apart by a label.
/// </summary>
public sealed class LabelEqualityMatcher : ISelectorMatcher
{
    public bool Matches(string? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (string.IsNullOrWhiteSpace(selector) || selector.Trim() == "all()")
        {
            return true;
        }

        return selector.Split("&&").All(term =>
        {
            var parts = term.Split("==");
            if (parts.Length != 2)
            {
                throw new ArgumentException($"unsupported test selector {selector}");
            }

            return labels.TryGetValue(parts[0].Trim(), out var value) && value == parts[1].Trim().Trim('\'', '"');
        });
    }
}
