using Tabby.Felix.Policy.Nftables;

namespace Tabby.Felix.Tests.Policy.Nftables;

/// <summary>Applies through the real nft (inside a namespace) and remembers every script.</summary>
internal sealed class RecordingNftRunner(INftRunner inner) : INftRunner
{
    public List<string> Scripts { get; } = [];

    /// <summary>Set to make the next apply fail before reaching nft.</summary>
    public bool FailNext { get; set; }

    public string LastScript => Scripts[^1];

    public Task ApplyAsync(string script, CancellationToken cancellationToken = default)
    {
        Scripts.Add(script);
        if (FailNext)
        {
            FailNext = false;
            throw new NftException("injected failure", "");
        }

        return inner.ApplyAsync(script, cancellationToken);
    }

    public Task<string?> ListTableJsonAsync(string table, CancellationToken cancellationToken = default) =>
        inner.ListTableJsonAsync(table, cancellationToken);
}
