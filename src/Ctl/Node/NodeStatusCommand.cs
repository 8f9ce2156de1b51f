using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tabby.Common.Status;
using Tabby.Ctl.Output;

namespace Tabby.Ctl.Node;

/// <summary>
/// <c>tabbyctl node status [--socket PATH | --node NAME] [-o table|json]</c>: calicoctl's layout,
/// one table per address family, with the reason a peer is down in INFO. Locally it asks the
/// agent's status socket; with <c>--node</c> it reads the node's CalicoNodeStatus from the
/// datastore instead. Exit 1 when the agent is not running.
/// </summary>
internal static class NodeStatusCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--output", "-o") { Description = "table (default) or json", DefaultValueFactory = _ => "table" };
        var source = new NodeSourceOptions();
        var command = new Command("status", "Show this node's BGP peers and their state");
        command.Options.Add(format);
        source.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var outputFormat = parse.GetValue(format)!;
            if (outputFormat is not ("table" or "json"))
            {
                await error.WriteLineAsync($"error: --output must be table or json, not \"{outputFormat}\"");
                return 2;
            }

            if (source.RemoteNode(parse) is { } remote)
            {
                try
                {
                    var resource = await source.ReadRemoteAsync(parse, remote, error, cancellationToken);
                    var stale = RemoteNodeStatus.IsStale(resource, DateTimeOffset.UtcNow);
                    if (stale)
                    {
                        await error.WriteLineAsync($"warning: node {remote} last reported at {resource.Status!.LastUpdated:O}; its agent may not be running");
                    }

                    var document = RemoteNodeStatus.ToStatusDocument(resource) with { Running = !stale };
                    await output.WriteAsync(outputFormat == "json"
                        ? JsonSerializer.Serialize(document, StatusJsonContext.Default.StatusDocument) + "\n"
                        : Render(document, DateTimeOffset.Now));
                    return stale ? 1 : 0;
                }
                catch (Exception e) when (e is Tabby.Datastore.Store.DatastoreException or TimeoutException or IOException or HttpRequestException)
                {
                    await error.WriteLineAsync($"error: {e.Message}");
                    return 1;
                }
            }

            var path = source.SocketPath(parse);
            StatusDocument? status;
            try
            {
                status = await StatusClient.ReadAsync(path, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or SocketException or IOException or TaskCanceledException or JsonException)
            {
                await output.WriteLineAsync("Tabby process is not running.");
                await error.WriteLineAsync($"error: cannot read status from {path}: {e.Message}");
                return 1;
            }

            if (status is null)
            {
                await output.WriteLineAsync("Tabby process is not running.");
                return 1;
            }

            await output.WriteAsync(outputFormat == "json"
                ? JsonSerializer.Serialize(status, StatusJsonContext.Default.StatusDocument) + "\n"
                : Render(status, DateTimeOffset.Now));
            return 0;
        });
        return command;
    }

    /// <summary>The text calicoctl prints, with Tabby's name.</summary>
    public static string Render(StatusDocument status, DateTimeOffset now)
    {
        var text = new StringBuilder();
        text.Append(status.Running ? "Tabby process is running.\n" : "Tabby process is not running.\n");
        foreach (var (family, name) in new[] { (AddressFamily.InterNetwork, "IPv4"), (AddressFamily.InterNetworkV6, "IPv6") })
        {
            text.Append('\n').Append(name).Append(" BGP status\n");
            var peers = status.Peers.Where(p => IPAddress.TryParse(p.PeerAddress, out var a) && a.AddressFamily == family).ToList();
            if (peers.Count == 0)
            {
                text.Append("No ").Append(name).Append(" peers found.\n");
                continue;
            }

            text.Append(BorderedTable.Render(["PEER ADDRESS", "PEER TYPE", "STATE", "SINCE", "INFO"],
                peers.Select(p => (IReadOnlyList<string>)[p.PeerAddress, p.PeerType, p.State, Since(p.Since, now), p.Info]).ToList()));
        }

        return text.ToString();
    }

    /// <summary>Time of day for today's changes, the date for older ones (BIRD's and calicoctl's habit).</summary>
    private static string Since(DateTimeOffset since, DateTimeOffset now)
    {
        var local = since.ToOffset(now.Offset);
        return local.Date == now.Date
            ? local.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
            : local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }
}
