using System.Collections.Concurrent;
using Tabby.Datastore.Validation;

namespace Tabby.Ipam.Pools;

/// <summary>Pool selectors evaluated with the datastore's Calico selector implementation (parsed once, cached).</summary>
public sealed class CalicoSelectorMatcher : ISelectorMatcher
{
    public static readonly CalicoSelectorMatcher Instance = new();

    private readonly ConcurrentDictionary<string, CalicoSelector> _parsed = new(StringComparer.Ordinal);

    public bool Matches(string? selector, IReadOnlyDictionary<string, string> labels) =>
        string.IsNullOrWhiteSpace(selector) || _parsed.GetOrAdd(selector, CalicoSelector.Parse).Matches(labels);
}
