namespace Tabby.Felix.Policy.Nftables;

/// <summary>
/// The operations of one nftables transaction, in the order <see cref="NftScriptWriter"/> decides.
/// Written either as an nft script (<see cref="NftScriptTransaction"/>) or as netlink messages
/// (<see cref="Netlink.NftNetlinkBatch"/>), which refuses what it cannot encode with
/// <see cref="NotSupportedException"/> so the caller falls back to the script.
/// </summary>
internal interface INftTransaction
{
    /// <summary>add + delete + add table: atomically replaces the table whether or not it existed.</summary>
    void ReplaceTable();

    void AddSet(NftSet set);

    /// <summary>Adds <paramref name="elements"/> (as nft writes them) to <paramref name="set"/>.</summary>
    void AddElements(NftSet set, IReadOnlyCollection<string> elements);

    /// <summary>Deletes elements given by key (<see cref="NftSet.KeyOf"/>).</summary>
    void DeleteElements(NftSet set, IReadOnlyCollection<string> keys);

    void AddChain(string name, string? header);

    void FlushChain(string name);

    void AddRule(string chain, string rule);

    void DeleteChain(string name);

    void DeleteSet(NftSet set);
}
