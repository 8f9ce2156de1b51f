using System.Text;

namespace Tabby.Felix.Policy.Nftables;

/// <summary>
/// Turns "these chains and sets should now look like this (null = gone)" into one nft script, in
/// an order nft accepts inside one transaction: sets and their elements first, then new chains,
/// then chain contents, then map elements, then deletions of chains, then of sets (nothing may be
/// deleted while a rule or map element still refers to it).
/// </summary>
internal static class NftScriptWriter
{
    private const int ElementsPerCommand = 2000;

    public static string Write(string table, bool replaceTable, IReadOnlyDictionary<string, NftSet> appliedSets,
        IReadOnlyDictionary<string, NftSet?> sets, IReadOnlyDictionary<string, NftChain> appliedChains,
        IReadOnlyDictionary<string, NftChain?> chains)
    {
        var script = new StringBuilder();
        if (replaceTable)
        {
            // add + delete + add: atomically replaces the table whether or not it existed.
            script.Append("add table inet ").Append(table).Append('\n');
            script.Append("delete table inet ").Append(table).Append('\n');
            script.Append("add table inet ").Append(table).Append('\n');
        }

        var maps = new List<(NftSet? Old, NftSet New)>();
        foreach (var (name, desired) in sets)
        {
            if (desired is null)
            {
                continue;
            }

            var old = appliedSets.GetValueOrDefault(name);
            if (old is null)
            {
                script.Append(desired.Declaration(table)).Append('\n');
            }

            if (desired.IsMap)
            {
                maps.Add((old, desired)); // map elements point at chains: written after the chains
                continue;
            }

            WriteElementChanges(script, table, old, desired);
        }

        foreach (var (name, desired) in chains)
        {
            if (desired is not null && !appliedChains.ContainsKey(name))
            {
                script.Append("add chain inet ").Append(table).Append(' ').Append(name);
                if (desired.Header is not null)
                {
                    script.Append(" { ").Append(desired.Header).Append(" }");
                }

                script.Append('\n');
            }
        }

        foreach (var (name, desired) in chains)
        {
            if (desired is null)
            {
                continue;
            }

            if (appliedChains.ContainsKey(name))
            {
                script.Append("flush chain inet ").Append(table).Append(' ').Append(name).Append('\n');
            }

            foreach (var rule in desired.Rules)
            {
                script.Append("add rule inet ").Append(table).Append(' ').Append(name).Append(' ').Append(rule).Append('\n');
            }
        }

        foreach (var (old, desired) in maps)
        {
            WriteElementChanges(script, table, old, desired);
        }

        WriteChainDeletions(script, table, appliedChains, [.. chains.Where(c => c.Value is null && appliedChains.ContainsKey(c.Key)).Select(c => c.Key)]);

        foreach (var (name, desired) in sets)
        {
            if (desired is null && appliedSets.TryGetValue(name, out var old))
            {
                script.Append(old.IsMap ? "delete map inet " : "delete set inet ").Append(table).Append(' ').Append(name).Append('\n');
            }
        }

        return script.ToString();
    }

    /// <summary>
    /// Deletes chains so that no chain goes while another deleted chain still jumps to it (nft
    /// refuses with EBUSY): endpoint chains before the policy chains they jump to.
    /// </summary>
    private static void WriteChainDeletions(StringBuilder script, string table, IReadOnlyDictionary<string, NftChain> appliedChains, List<string> doomed)
    {
        var remaining = new HashSet<string>(doomed, StringComparer.Ordinal);
        while (remaining.Count > 0)
        {
            var referenced = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in remaining)
            {
                foreach (var rule in appliedChains[name].Rules)
                {
                    var at = rule.IndexOf("jump ", StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        var target = rule[(at + 5)..].Split(' ')[0];
                        if (target != name)
                        {
                            referenced.Add(target);
                        }
                    }
                }
            }

            var now = remaining.Where(n => !referenced.Contains(n)).Order(StringComparer.Ordinal).ToList();
            if (now.Count == 0)
            {
                now = [.. remaining]; // a cycle cannot exist in a valid table; let nft report it
            }

            foreach (var name in now)
            {
                script.Append("delete chain inet ").Append(table).Append(' ').Append(name).Append('\n');
                remaining.Remove(name);
            }
        }
    }

    private static void WriteElementChanges(StringBuilder script, string table, NftSet? old, NftSet desired)
    {
        if (old is not null)
        {
            WriteElements(script, "delete", table, desired.Name, old.Elements.Where(e => !desired.Elements.Contains(e)).Select(old.KeyOf));
        }

        WriteElements(script, "add", table, desired.Name, old is null ? desired.Elements : desired.Elements.Where(e => !old.Elements.Contains(e)));
    }

    private static void WriteElements(StringBuilder script, string verb, string table, string set, IEnumerable<string> elements)
    {
        foreach (var chunk in elements.Chunk(ElementsPerCommand))
        {
            script.Append(verb).Append(" element inet ").Append(table).Append(' ').Append(set).Append(" { ");
            script.AppendJoin(", ", chunk);
            script.Append(" }\n");
        }
    }
}
