using System.Collections.Concurrent;
using Tabby.Felix.Policy.Selectors;
using Tabby.Ipam.Pools;

namespace Tabby.Cni.Addressing;

/// <summary>
/// IPAM's pool nodeSelector / namespaceSelector evaluated with the policy engine's Calico selector
/// language, so pools and policies read selectors the same way. Parsed selectors are cached: every
/// pool is matched on every request.
/// </summary>
public sealed class CalicoSelectorMatcher : ISelectorMatcher
{
    private readonly ConcurrentDictionary<string, Selector> _parsed = new(StringComparer.Ordinal);

    public bool Matches(string? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return true;
        }

        var parsed = _parsed.GetOrAdd(selector, static text =>
        {
            try
            {
                return Selector.Parse(text);
            }
            catch (SelectorSyntaxException e)
            {
                throw new Ipam.IpamRequestException($"IP pool selector \"{text}\" is invalid: {e.Message}");
            }
        });
        return parsed.Matches(labels);
    }
}
