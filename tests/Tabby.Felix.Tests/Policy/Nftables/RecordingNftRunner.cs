using Tabby.Felix.Policy.Nftables;
using Tabby.Felix.Policy.Nftables.Netlink;

namespace Tabby.Felix.Tests.Policy.Nftables;

/// <summary>Applies through the real nft or netlink (inside a namespace) and remembers every transaction as its script.</summary>
internal sealed class RecordingNftRunner(INftRunner inner) : INftNetlinkRunner
{
    public List<string> Scripts { get; } = [];

    /// <summary>How many transactions went as netlink messages.</summary>
    public int NetlinkTransactions { get; private set; }

    /// <summary>Set to make the next apply fail before reaching nft.</summary>
    public bool FailNext { get; set; }

    public string LastScript => Scripts[^1];

    public Task ApplyAsync(string script, CancellationToken cancellationToken = default)
    {
        Record(script);
        return inner.ApplyAsync(script, cancellationToken);
    }

    public Task ApplyNetlinkAsync(NftNetlinkBatch batch, Func<string> script, CancellationToken cancellationToken = default)
    {
        var text = script();
        Record(text);
        NetlinkTransactions++;
        return inner is INftNetlinkRunner netlink ? netlink.ApplyNetlinkAsync(batch, () => text, cancellationToken) : inner.ApplyAsync(text, cancellationToken);
    }

    public Task<string?> ListTableJsonAsync(string table, CancellationToken cancellationToken = default) =>
        inner.ListTableJsonAsync(table, cancellationToken);

    private void Record(string script)
    {
        Scripts.Add(script);
        if (FailNext)
        {
            FailNext = false;
            throw new NftException("injected failure", "");
        }
    }
}
