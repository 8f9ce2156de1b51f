namespace Tabby.Felix.Policy.Nftables;

/// <summary>Runs nft; behind an interface so tests can inject failures and count transactions.</summary>
public interface INftRunner
{
    /// <summary>Applies <paramref name="script"/> as one transaction (<c>nft -f -</c>): all or nothing.</summary>
    Task ApplyAsync(string script, CancellationToken cancellationToken = default);

    /// <summary><c>nft -j list table inet NAME</c>; null when the table does not exist.</summary>
    Task<string?> ListTableJsonAsync(string table, CancellationToken cancellationToken = default);
}

/// <summary>nft failed; <see cref="Output"/> holds its error text (which names the offending line).</summary>
public sealed class NftException(string message, string output) : Exception($"{message}: {output}")
{
    public string Output { get; } = output;
}

/// <summary>
/// A runner that can also apply a transaction as nftables netlink messages, without starting nft
/// (which first fetches the whole table and parses text). The dataplane uses it whenever the
/// transaction can be encoded. The script function given to <see cref="ApplyNetlinkAsync"/> renders
/// the same transaction as nft text, for error messages and tests (only call it when needed: for a
/// full apply it is megabytes).
/// </summary>
public interface INftNetlinkRunner : INftRunner
{
    Task ApplyNetlinkAsync(Netlink.NftNetlinkBatch batch, Func<string> script, CancellationToken cancellationToken = default);
}
