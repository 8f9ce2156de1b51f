using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tabby.Felix.Nat;

/// <summary>An IP pool as NAT sees it.</summary>
public sealed record NatPool(IPNetwork Cidr, bool NatOutgoing, bool Disabled = false);

/// <summary>
/// Renders the nftables script for natOutgoing (Calico: masquerade when the source is in a
/// natOutgoing pool and the destination is in no pool). Tabby owns table <c>tabby-nat</c> in the
/// ip and ip6 families; the script deletes and recreates it, and <c>nft -f</c> applies a script as
/// one transaction, so the rules switch over atomically with no window without NAT.
/// </summary>
public static class NatOutgoingScript
{
    public const string TableName = "tabby-nat";

    public static string Render(IReadOnlyCollection<NatPool> pools)
    {
        var script = new StringBuilder();
        foreach (var (family, addressFamily, type, keyword) in new[]
                 {
                     ("ip", AddressFamily.InterNetwork, "ipv4_addr", "ip"),
                     ("ip6", AddressFamily.InterNetworkV6, "ipv6_addr", "ip6"),
                 })
        {
            var ofFamily = pools.Where(p => p.Cidr.BaseAddress.AddressFamily == addressFamily).ToList();
            // Disabled pools still count as "inside the cluster" for the destination test: their
            // addresses may still be in use by pods.
            var all = ofFamily.Select(p => p.Cidr).Distinct().ToList();
            var masquerading = ofFamily.Where(p => p.NatOutgoing && !p.Disabled).Select(p => p.Cidr).Distinct().ToList();

            // "add table" then "delete table" removes a table whether or not it exists.
            script.Append("add table ").Append(family).Append(' ').Append(TableName).Append('\n');
            script.Append("delete table ").Append(family).Append(' ').Append(TableName).Append('\n');
            script.Append("table ").Append(family).Append(' ').Append(TableName).Append(" {\n");
            AppendSet(script, "nat-outgoing-pools", type, masquerading);
            AppendSet(script, "all-pools", type, all);
            script.Append("\tchain postrouting {\n");
            script.Append("\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
            script.Append("\t\t").Append(keyword).Append(" saddr @nat-outgoing-pools ").Append(keyword)
                .Append(" daddr != @all-pools masquerade fully-random\n");
            script.Append("\t}\n}\n");
        }

        return script.ToString();
    }

    /// <summary>Removes Tabby's tables (and nothing else).</summary>
    public static string RenderRemoval() =>
        $"add table ip {TableName}\ndelete table ip {TableName}\nadd table ip6 {TableName}\ndelete table ip6 {TableName}\n";

    private static void AppendSet(StringBuilder script, string name, string type, List<IPNetwork> cidrs)
    {
        script.Append("\tset ").Append(name).Append(" {\n\t\ttype ").Append(type).Append("\n\t\tflags interval\n");
        if (cidrs.Count > 0)
        {
            // auto-merge would fold overlapping pools; without it nft rejects overlaps, so pass disjoint ones.
            script.Append("\t\tauto-merge\n\t\telements = { ").Append(string.Join(", ", cidrs.Select(c => c.ToString()))).Append(" }\n");
        }

        script.Append("\t}\n");
    }
}

/// <summary>Runs <c>nft -f -</c> with a script on stdin (optionally under a prefix such as <c>ip netns exec NAME</c>).</summary>
public sealed class NftRunner(IReadOnlyList<string>? commandPrefix = null, TimeSpan? timeout = null)
{
    private readonly IReadOnlyList<string> _command = [.. commandPrefix ?? [], "nft", "-f", "-"];

    public async Task ApplyAsync(string script, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(_command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in _command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {string.Join(' ', _command)}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.WriteAsync(script.AsMemory(), cancellationToken).ConfigureAwait(false);
        process.StandardInput.Close();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"nft -f failed with exit code {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}{(await stdout.ConfigureAwait(false)).Trim()}");
        }
    }
}

/// <summary>
/// Keeps the natOutgoing rules equal to the pools: applies the whole table atomically whenever the
/// pools change (nothing when they did not), and removes it on shutdown.
/// </summary>
public sealed class NatOutgoingManager(NftRunner runner, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _applied;

    /// <summary>
    /// Applies the rules for <paramref name="pools"/> when they differ from the last applied ones,
    /// or always with <paramref name="force"/> (a periodic resync that repairs a table someone
    /// changed or deleted). Returns true when a script was applied.
    /// </summary>
    public async Task<bool> UpdateAsync(IReadOnlyCollection<NatPool> pools, CancellationToken cancellationToken = default, bool force = false)
    {
        var script = NatOutgoingScript.Render(pools);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (script == _applied && !force)
            {
                return false;
            }

            await runner.ApplyAsync(script, cancellationToken).ConfigureAwait(false);
            _applied = script;
            _logger.LogInformation("natOutgoing rules applied for {Count} pools ({Masquerading} masquerading)",
                pools.Count, pools.Count(p => p.NatOutgoing && !p.Disabled));
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Deletes Tabby's NAT tables.</summary>
    public async Task RemoveAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await runner.ApplyAsync(NatOutgoingScript.RenderRemoval(), cancellationToken).ConfigureAwait(false);
            _applied = null;
        }
        finally
        {
            _gate.Release();
        }
    }
}
