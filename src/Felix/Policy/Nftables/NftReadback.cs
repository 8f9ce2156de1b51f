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

        // A streaming reader over a plain UTF-8 copy: a whole table lists as tens of megabytes, and a
        // JsonDocument would keep its pooled buffers in the shared pool for the life of the agent.
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("nftables"))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            Expect(ref reader, JsonTokenType.StartArray);
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                // {"chain": {...}} | {"rule": {...}} | {"set": {...}} | {"map": {...}} | anything else
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var kind = reader.GetString();
                    Expect(ref reader, JsonTokenType.StartObject);
                    switch (kind)
                    {
                        case "chain":
                            {
                                var name = ReadObject(ref reader, "name", out _);
                                ruleCounts.TryAdd(name, 0);
                                if (!chains.ContainsKey(name))
                                {
                                    drift.Add($"unexpected chain {name}");
                                }

                                break;
                            }

                        case "rule":
                            {
                                var name = ReadObject(ref reader, "chain", out _);
                                ruleCounts[name] = ruleCounts.GetValueOrDefault(name) + 1;
                                break;
                            }

                        case "set" or "map":
                            {
                                var name = ReadObject(ref reader, "name", out var count);
                                seenSets.Add(name);
                                if (!sets.TryGetValue(name, out var expected))
                                {
                                    drift.Add($"unexpected set {name}");
                                }
                                else if (count != expected.Elements.Count)
                                {
                                    drift.Add($"set {name} has {count} elements, expected {expected.Elements.Count}");
                                }

                                break;
                            }

                        default:
                            reader.Skip();
                            break;
                    }
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

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new JsonException($"nft -j output: expected {type} at byte {reader.BytesConsumed}, found {reader.TokenType}");
        }
    }

    /// <summary>Reads one object (the reader on its StartObject) and returns the string property
    /// <paramref name="property"/>; <paramref name="elements"/> counts the entries of its "elem" array.</summary>
    private static string ReadObject(ref Utf8JsonReader reader, string property, out int elements)
    {
        string? value = null;
        elements = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(property))
            {
                reader.Read();
                value = reader.GetString();
            }
            else if (reader.ValueTextEquals("elem"))
            {
                Expect(ref reader, JsonTokenType.StartArray);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    elements++;
                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return value ?? throw new JsonException($"nft -j output: an object without \"{property}\"");
    }
}
