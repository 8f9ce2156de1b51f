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
        var script = new NftScriptTransaction(table);
        Write(script, replaceTable, appliedSets, sets, appliedChains, chains);
        return script.ToString();
    }

    public static void Write(INftTransaction transaction, bool replaceTable, IReadOnlyDictionary<string, NftSet> appliedSets,
        IReadOnlyDictionary<string, NftSet?> sets, IReadOnlyDictionary<string, NftChain> appliedChains,
        IReadOnlyDictionary<string, NftChain?> chains)
    {
        if (replaceTable)
        {
            transaction.ReplaceTable();
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
                transaction.AddSet(desired);
            }

            if (desired.IsMap)
            {
                maps.Add((old, desired)); // map elements point at chains: written after the chains
                continue;
            }

            WriteElementChanges(transaction, old, desired);
        }

        foreach (var (name, desired) in chains)
        {
            if (desired is not null && !appliedChains.ContainsKey(name))
            {
                transaction.AddChain(name, desired.Header);
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
                transaction.FlushChain(name);
            }

            foreach (var rule in desired.Rules)
            {
                transaction.AddRule(name, rule);
            }
        }

        foreach (var (old, desired) in maps)
        {
            WriteElementChanges(transaction, old, desired);
        }

        WriteChainDeletions(transaction, appliedChains, [.. chains.Where(c => c.Value is null && appliedChains.ContainsKey(c.Key)).Select(c => c.Key)]);

        foreach (var (name, desired) in sets)
        {
            if (desired is null && appliedSets.TryGetValue(name, out var old))
            {
                transaction.DeleteSet(old);
            }
        }
    }

    /// <summary>
    /// Deletes chains so that no chain goes while another deleted chain still jumps to it (nft
    /// refuses with EBUSY): endpoint chains before the policy chains they jump to.
    /// </summary>
    private static void WriteChainDeletions(INftTransaction transaction, IReadOnlyDictionary<string, NftChain> appliedChains, List<string> doomed)
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
                transaction.DeleteChain(name);
                remaining.Remove(name);
            }
        }
    }

    private static void WriteElementChanges(INftTransaction transaction, NftSet? old, NftSet desired)
    {
        if (old is not null)
        {
            var gone = old.Elements.Where(e => !desired.Elements.Contains(e)).Select(old.KeyOf).ToList();
            if (gone.Count > 0)
            {
                transaction.DeleteElements(desired, gone);
            }
        }

        var added = old is null ? [.. desired.Elements] : desired.Elements.Where(e => !old.Elements.Contains(e)).ToList();
        if (added.Count > 0)
        {
            transaction.AddElements(desired, added);
        }
    }

    internal static void WriteElements(System.Text.StringBuilder script, string verb, string table, string set, IEnumerable<string> elements)
    {
        foreach (var chunk in elements.Chunk(ElementsPerCommand))
        {
            script.Append(verb).Append(" element inet ").Append(table).Append(' ').Append(set).Append(" { ");
            script.AppendJoin(", ", chunk);
            script.Append(" }\n");
        }
    }
}

/// <summary>Writes a transaction as an nft script for <c>nft -f -</c>.</summary>
internal sealed class NftScriptTransaction(string table) : INftTransaction
{
    private readonly StringBuilder _script = new();

    public void ReplaceTable()
    {
        _script.Append("add table inet ").Append(table).Append('\n');
        _script.Append("delete table inet ").Append(table).Append('\n');
        _script.Append("add table inet ").Append(table).Append('\n');
    }

    public void AddSet(NftSet set) => _script.Append(set.Declaration(table)).Append('\n');

    public void AddElements(NftSet set, IReadOnlyCollection<string> elements) =>
        NftScriptWriter.WriteElements(_script, "add", table, set.Name, elements);

    public void DeleteElements(NftSet set, IReadOnlyCollection<string> keys) =>
        NftScriptWriter.WriteElements(_script, "delete", table, set.Name, keys);

    public void AddChain(string name, string? header)
    {
        _script.Append("add chain inet ").Append(table).Append(' ').Append(name);
        if (header is not null)
        {
            _script.Append(" { ").Append(header).Append(" }");
        }

        _script.Append('\n');
    }

    public void FlushChain(string name) => _script.Append("flush chain inet ").Append(table).Append(' ').Append(name).Append('\n');

    public void AddRule(string chain, string rule) =>
        _script.Append("add rule inet ").Append(table).Append(' ').Append(chain).Append(' ').Append(rule).Append('\n');

    public void DeleteChain(string name) => _script.Append("delete chain inet ").Append(table).Append(' ').Append(name).Append('\n');

    public void DeleteSet(NftSet set) =>
        _script.Append(set.IsMap ? "delete map inet " : "delete set inet ").Append(table).Append(' ').Append(set.Name).Append('\n');

    public override string ToString() => _script.ToString();
}
