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
/// <c>tabbyctl node status [--socket PATH] [-o table|json]</c>: calicoctl's layout, one table per
/// address family, with the reason a peer is down in INFO. Exit 1 when the agent is not running.
/// </summary>
internal static class NodeStatusCommand
{
    public static Command Create()
    {
        var socket = new Option<string?>("--socket") { Description = $"the agent's status socket (default: TABBY_STATUS_SOCKET or {StatusClient.DefaultSocket})" };
        var format = new Option<string>("--output", "-o") { Description = "table (default) or json", DefaultValueFactory = _ => "table" };
        var command = new Command("status", "Show this node's BGP peers and their state");
        command.Options.Add(socket);
        command.Options.Add(format);
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

            var path = parse.GetValue(socket) ?? Environment.GetEnvironmentVariable("TABBY_STATUS_SOCKET") ?? StatusClient.DefaultSocket;
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
        text.Append("Tabby process is running.\n");
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
