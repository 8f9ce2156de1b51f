using System.Text.Json;

namespace Tabby.Felix.Policy.Nftables;

/// <summary>
/// Compares <c>nft -j list table</c> output with what Tabby applied: every chain present with the
/// same number of rules, every set and map present with the same number of elements, nothing
/// extra. (nft normalizes rule text, e.g. <c>th dport</c> after <c>meta l4proto tcp</c> becomes
/// <c>tcp dport</c>, so rules are compared by count, which catches deleted, added and flushed rules.)
/// </summary>
internal static class NftReadback
{
    public static List<string> Compare(string json, IReadOnlyDictionary<string, NftChain> chains, IReadOnlyDictionary<string, NftSet> sets)
    {
        var drift = new List<string>();
        var ruleCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var seenSets = new HashSet<string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        foreach (var item in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("chain", out var chain))
            {
                var name = chain.GetProperty("name").GetString()!;
                ruleCounts.TryAdd(name, 0);
                if (!chains.ContainsKey(name))
                {
                    drift.Add($"unexpected chain {name}");
                }
            }
            else if (item.TryGetProperty("rule", out var rule))
            {
                var name = rule.GetProperty("chain").GetString()!;
                ruleCounts[name] = ruleCounts.GetValueOrDefault(name) + 1;
            }
            else if (item.TryGetProperty("set", out var set) || item.TryGetProperty("map", out set))
            {
                var name = set.GetProperty("name").GetString()!;
                seenSets.Add(name);
                var count = set.TryGetProperty("elem", out var elements) ? elements.GetArrayLength() : 0;
                if (!sets.TryGetValue(name, out var expected))
                {
                    drift.Add($"unexpected set {name}");
                }
                else if (count != expected.Elements.Count)
                {
                    drift.Add($"set {name} has {count} elements, expected {expected.Elements.Count}");
                }
            }
        }

        foreach (var (name, chain) in chains)
        {
            if (!ruleCounts.TryGetValue(name, out var count))
            {
                drift.Add($"chain {name} is missing");
            }
            else if (count != chain.Rules.Count)
            {
                drift.Add($"chain {name} has {count} rules, expected {chain.Rules.Count}");
            }
        }

        foreach (var name in sets.Keys)
        {
            if (!seenSets.Contains(name))
            {
                drift.Add($"set {name} is missing");
            }
        }

        return drift;
    }
}
