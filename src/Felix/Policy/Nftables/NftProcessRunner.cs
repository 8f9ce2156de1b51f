using System.Diagnostics;
using System.Text;

namespace Tabby.Felix.Policy.Nftables;

/// <summary>
/// Runs the <c>nft</c> binary, reading the script from stdin so a whole ruleset is one transaction.
/// With <see cref="NetworkNamespace"/> set it runs inside that namespace (<c>ip netns exec</c>),
/// which is how tests and the benchmark give every node its own ruleset.
/// </summary>
public sealed class NftProcessRunner(string? networkNamespace = null, string nftPath = "nft") : INftRunner
{
    public string? NetworkNamespace { get; } = networkNamespace;

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
