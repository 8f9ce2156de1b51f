using System.Diagnostics;
using System.Text;
using Tabby.Felix.Netlink;
using Tabby.Felix.Policy.Nftables.Netlink;

namespace Tabby.Felix.Policy.Nftables;

/// <summary>
/// Runs the <c>nft</c> binary, reading the script from stdin so a whole ruleset is one transaction.
/// With <see cref="NetworkNamespace"/> set it runs inside that namespace (<c>ip netns exec</c>),
/// which is how tests and the benchmark give every node its own ruleset. Netlink batches
/// (<see cref="ApplyNetlinkAsync"/>) go over a NETLINK_NETFILTER socket opened in the same
/// namespace on first use.
/// </summary>
public sealed class NftProcessRunner(string? networkNamespace = null, string nftPath = "nft") : INftNetlinkRunner, IDisposable
{
    private readonly Lock _socketLock = new();
    private NetlinkSocket? _socket;

    public string? NetworkNamespace { get; } = networkNamespace;

    public Task ApplyNetlinkAsync(NftNetlinkBatch batch, Func<string> script, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_socketLock)
        {
            var options = new NetlinkSocketOptions
            {
                Protocol = NetlinkProtocols.Netfilter,
                ReceiveBufferBytes = 1 << 20,
                SendBufferBytes = NftNetlinkBatch.MaxLength + (1 << 20), // a whole table goes in one sendmsg
            };
            _socket ??= NetworkNamespace is null ? NetlinkSocket.Open(options) : NetlinkSocket.OpenInNamespace($"/run/netns/{NetworkNamespace}", options);
            batch.End(); // batch end is a message too: count it before reserving sequence numbers
            var first = _socket.ReserveSequences(batch.MessageCount);
            var (messages, last) = batch.Seal(first);
            try
            {
                _socket.SendTransaction(messages.Span, first, last, "nftables transaction");
            }
            catch (NetlinkException e)
            {
                // The kernel aborted the whole transaction; later replies may still be queued, so start afresh.
                _socket.Dispose();
                _socket = null;
                var text = batch.Length <= 64 * 1024 ? script() : $"({batch.MessageCount} messages, {batch.Length} bytes)";
                throw new NftException("nftables netlink transaction failed", $"{e.Message}\n{text}");
            }
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_socketLock)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }

    public async Task ApplyAsync(string script, CancellationToken cancellationToken = default)
    {
        var (code, _, stderr) = await RunAsync(["-f", "-"], script, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new NftException($"nft -f - failed with exit code {code}", stderr);
        }
    }

    public async Task<string?> ListTableJsonAsync(string table, CancellationToken cancellationToken = default)
    {
        var (code, stdout, stderr) = await RunAsync(["-j", "list", "table", "inet", table], null, cancellationToken).ConfigureAwait(false);
        if (code == 0)
        {
            return stdout;
        }

        // nft reports a missing table as "No such file or directory".
        return stderr.Contains("No such file or directory", StringComparison.Ordinal)
            ? null
            : throw new NftException($"nft list table inet {table} failed with exit code {code}", stderr);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string[] arguments, string? stdin, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            FileName = NetworkNamespace is null ? nftPath : "ip",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        if (NetworkNamespace is not null)
        {
            foreach (var a in new[] { "netns", "exec", NetworkNamespace, nftPath })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start nft");
        var stdoutTask = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderrTask = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await stdoutTask.ConfigureAwait(false), await stderrTask.ConfigureAwait(false));
    }
}
