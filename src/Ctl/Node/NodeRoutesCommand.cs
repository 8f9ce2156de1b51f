using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tabby.Common.Status;
using Tabby.Ctl.Output;

namespace Tabby.Ctl.Node;

/// <summary>
/// <c>tabbyctl node routes [--socket PATH | --node NAME] [--type rib|fib] [-o table|wide|json]</c>:
/// the node's BGP RIB (every path, the best marked, with why it won) and the FIB the agent programs
/// (with whether the kernel holds each route as wanted), each with where it came from: Direct
/// (a workload), Static (a local block), Kernel (a tunnel route from the datastore), NodeMesh or
/// BGPPeer (with the peer), Local (originated here). Exit 1 when the agent cannot be reached.
/// </summary>
internal static class NodeRoutesCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--output", "-o") { Description = "table (default), wide or json", DefaultValueFactory = _ => "table" };
        var type = new Option<string?>("--type") { Description = "rib or fib (default: both)" };
        var source = new NodeSourceOptions();
        var command = new Command("routes", "Show this node's RIB and FIB and where each route came from");
        command.Options.Add(format);
        command.Options.Add(type);
        source.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var outputFormat = parse.GetValue(format)!;
            if (outputFormat is not ("table" or "wide" or "json"))
            {
                await error.WriteLineAsync($"error: --output must be table, wide or json, not \"{outputFormat}\"");
                return 2;
            }

            var only = parse.GetValue(type)?.ToUpperInvariant();
            if (only is not (null or "RIB" or "FIB"))
            {
                await error.WriteLineAsync($"error: --type must be rib or fib, not \"{parse.GetValue(type)}\"");
                return 2;
            }

            RoutesDocument? routes;
            try
            {
                routes = source.RemoteNode(parse) is { } remote
                    ? RemoteNodeStatus.ToRoutesDocument(await source.ReadRemoteAsync(parse, remote, error, cancellationToken))
                    : await StatusClient.ReadRoutesAsync(source.SocketPath(parse), cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or SocketException or IOException or TaskCanceledException or JsonException
                                          or TimeoutException or Tabby.Datastore.Store.DatastoreException)
            {
                await error.WriteLineAsync($"error: cannot read routes: {e.Message}");
                return 1;
            }

            if (routes is null)
            {
                await error.WriteLineAsync("error: the agent returned no routes");
                return 1;
            }

            if (only is not null)
            {
                routes = routes with { Routes = routes.Routes.Where(r => r.Type == only).ToList() };
            }

            await output.WriteAsync(outputFormat == "json"
                ? JsonSerializer.Serialize(routes, RoutesJsonContext.Default.RoutesDocument) + "\n"
                : Render(routes, wide: outputFormat == "wide"));
            return 0;
        });
        return command;
    }

    public static string Render(RoutesDocument routes, bool wide)
    {
        if (routes.Routes.Count == 0)
        {
            return "No routes found.\n";
        }

        var headers = wide
            ? new[] { "TYPE", "DESTINATION", "GATEWAY", "INTERFACE", "LEARNED FROM", "PEER", "BEST", "IN KERNEL", "INFO" }
            : ["TYPE", "DESTINATION", "GATEWAY", "INTERFACE", "LEARNED FROM", "STATE"];
        var rows = routes.Routes.Select(r => wide
            ? (IReadOnlyList<string>)[r.Type, r.Destination, r.Gateway ?? "", r.Interface ?? "", r.SourceType, r.PeerIP ?? "", YesNo(r.Best), YesNo(r.Programmed), r.Reason ?? ""]
            : [r.Type, r.Destination, r.Gateway ?? "", r.Interface ?? "", r.PeerIP is null ? r.SourceType : $"{r.SourceType} {r.PeerIP}", State(r)]).ToList();
        return new StringBuilder().Append(BorderedTable.Render(headers, rows)).ToString();
    }

    private static string YesNo(bool? value) => value switch { true => "yes", false => "no", null => "" };

    /// <summary>RIB: best or not; FIB: programmed or not (a FIB route the kernel lacks is what an operator must see).</summary>
    private static string State(Common.Status.NodeRoute route) => route switch
    {
        { Type: "RIB", Best: true } => "best",
        { Type: "RIB", Reason: { } reason } => reason,
        { Type: "RIB" } => "",
        { Programmed: false } => "NOT IN KERNEL",
        { Programmed: true } => "programmed",
        _ => "",
    };
}
