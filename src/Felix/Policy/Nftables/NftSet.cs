namespace Tabby.Felix.Policy.Nftables;

/// <summary>
/// A named set or map in the owned table: its type, whether it holds intervals, its elements as nft
/// writes them (for a map, <c>key : verdict</c>).
/// </summary>
public sealed record NftSet(string Name, string Type, bool Interval, IReadOnlySet<string> Elements, bool IsMap = false)
{
    public string Declaration(string table) =>
        $"add {(IsMap ? "map" : "set")} inet {table} {Name} {{ type {Type};{(Interval ? " flags interval;" : "")} }}";

    /// <summary>What <c>delete element</c> takes: the whole element for a set, the key for a map.</summary>
    public string KeyOf(string element) => IsMap ? element[..element.IndexOf(" : ", StringComparison.Ordinal)] : element;

    public bool SameAs(NftSet? other) =>
        other is not null && Type == other.Type && Interval == other.Interval && IsMap == other.IsMap && Elements.SetEquals(other.Elements);
}

/// <summary>A chain in the owned table: its base-chain header (null for regular chains) and its rules in order.</summary>
public sealed record NftChain(string Name, string? Header, IReadOnlyList<string> Rules)
{
    public bool SameAs(NftChain? other) =>
        other is not null && Header == other.Header && Rules.SequenceEqual(other.Rules, StringComparer.Ordinal);
}
