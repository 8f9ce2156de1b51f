using System.Collections.Concurrent;
using Tabby.Datastore.Validation;

namespace Tabby.Ipam.Pools;

/// <summary>
/// Pool nodeSelector / namespaceSelector evaluated with the datastore's Calico selector (the same
/// implementation network policy uses). Parsed selectors are cached: every pool is matched on
/// every request. Nodes and namespaces are non-namespaced resources, so <c>global()</c> matches them.
/// </summary>
public sealed class CalicoSelectorMatcher : ISelectorMatcher
{
    public static readonly CalicoSelectorMatcher Instance = new();

    private readonly ConcurrentDictionary<string, CalicoSelector> _parsed = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="labels"/> match; an empty selector matches everything.
    /// A selector that does not parse is an <see cref="IpamRequestException"/> saying where and why.</summary>
    public bool Matches(string? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return true;
        }

        var parsed = _parsed.GetOrAdd(selector, static text => CalicoSelector.TryParse(text, out var parsed, out var error)
            ? parsed
            : throw new IpamRequestException($"IP pool selector \"{text}\" is invalid: {error}"));
        return parsed.MatchesGlobal(labels);
    }
}
