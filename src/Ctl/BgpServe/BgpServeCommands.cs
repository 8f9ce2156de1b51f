using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tabby.Bgp.Config;
using Tabby.Bgp.Speaker;
using Tabby.Common.Logging;

namespace Tabby.Ctl.BgpServe;

/// <summary>
/// <c>tabbyctl bgp serve | status | routes</c>: the speaker as a standalone daemon and its
/// operator views (a peers table like <c>birdc show protocols</c>, the Loc-RIB with best-path reasons).
/// </summary>
internal static class BgpServeCommands
{
    public static void AddTo(Command bgp)
    {
        bgp.Subcommands.Add(Serve());
        bgp.Subcommands.Add(Status());
        bgp.Subcommands.Add(Routes());
    }

    private static Option<string> SocketOption() => new("--socket")
    {
        Description = $"status socket of `tabbyctl bgp serve` (default {SpeakerConfigLoader.DefaultStatusSocket})",
        DefaultValueFactory = _ => SpeakerConfigLoader.DefaultStatusSocket,
    };

    private static Command Serve()
    {
        var config = new Option<string>("--config", "-c") { Description = "YAML configuration (router id, AS, listen, peers, originate, policies)", Required = true };
        var logLevel = new Option<string>("--log-level") { Description = "trace, debug, information, warning, error", DefaultValueFactory = _ => "information" };
        var gracefulStop = new Option<bool>("--graceful-stop") { Description = "on SIGTERM/SIGINT close sessions without Cease so peers keep our routes (graceful restart, RFC 4724)" };
        var command = new Command("serve", "Run the BGP speaker standalone until SIGTERM/SIGINT (SIGHUP reloads the originate: list)");
        command.Options.Add(config);
        command.Options.Add(logLevel);
        command.Options.Add(gracefulStop);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            SpeakerConfig loaded;
            try
            {
                loaded = SpeakerConfigLoader.LoadFile(parseResult.GetValue(config)!);
            }
            catch (Exception e) when (e is SpeakerConfigException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"error: {parseResult.GetValue(config)}: {e.Message}").ConfigureAwait(false);
                return 2;
            }

            if (!TabbyLogging.TryParseLevel(parseResult.GetValue(logLevel), out var level))
            {
                await Console.Error.WriteLineAsync($"error: --log-level '{parseResult.GetValue(logLevel)}' is not a log level").ConfigureAwait(false);
                return 2;
            }

            using var loggerFactory = TabbyLogging.CreateLoggerFactory(level, "bgp");
            var logger = loggerFactory.CreateLogger("Tabby.Bgp.Serve");
            var speaker = new BgpSpeaker(loaded.Options with { LoggerFactory = loggerFactory });
            foreach (var peer in loaded.Peers) await speaker.AddOrUpdatePeerAsync(peer).ConfigureAwait(false);
            try
            {
                await speaker.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                await Console.Error.WriteLineAsync($"error: cannot listen: {e.Message}").ConfigureAwait(false);
                return 1;
            }

            var originated = new OriginatedRoutes(speaker);
            originated.Apply(loaded.Originate);
            await using var status = new BgpStatusServer(loaded.StatusSocket, speaker, logger);
            logger.LogInformation("BGP speaker AS {As} id {Id} running: {Peers} peers, {Routes} originated routes, status on {Socket}",
                loaded.Options.LocalAs, loaded.Options.RouterId, loaded.Peers.Count, loaded.Originate.Count, loaded.StatusSocket);

            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stopped.TrySetResult(); });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stopped.TrySetResult(); });
            // SIGHUP re-reads the file and applies its originate: list (like `birdc configure` for
            // static routes); other sections need a restart. An invalid file changes nothing.
            var configPath = parseResult.GetValue(config)!;
            using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
            {
                c.Cancel = true;
                ReloadOriginated(configPath, originated, logger);
            });
            await using var registration = cancellationToken.Register(() => stopped.TrySetResult()).ConfigureAwait(false);
            await stopped.Task.ConfigureAwait(false);
            bool graceful = parseResult.GetValue(gracefulStop);
            logger.LogInformation("stopping{Mode}", graceful ? " for graceful restart (no Cease)" : "");
            await speaker.StopAsync(graceful).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    /// <summary>Applies the originate: list of the configuration file at <paramref name="path"/>; logs and keeps the current routes when the file is invalid.</summary>
    internal static bool ReloadOriginated(string path, OriginatedRoutes originated, ILogger logger)
    {
        SpeakerConfig reloaded;
        try
        {
            reloaded = SpeakerConfigLoader.LoadFile(path);
        }
        catch (Exception e) when (e is SpeakerConfigException or IOException or UnauthorizedAccessException)
        {
            logger.LogError("reload of {Path} failed, originated routes unchanged: {Error}", path, e.Message);
            return false;
        }

        var (added, withdrawn) = originated.Apply(reloaded.Originate);
        logger.LogInformation("reloaded {Path}: {Count} originated routes ({Added} added, {Withdrawn} withdrawn); other changes need a restart",
            path, reloaded.Originate.Count, added, withdrawn);
        return true;
    }

    private static Command Status()
    {
        var socket = SocketOption();
        var output = new Option<string>("--output", "-o") { Description = "table, wide or json", DefaultValueFactory = _ => "table" };
        var command = new Command("status", "Show the speaker's peers (like `birdc show protocols`)");
        command.Options.Add(socket);
        command.Options.Add(output);
        command.SetAction(async parseResult =>
        {
            var format = parseResult.GetValue(output)!;
            if (format is not ("table" or "wide" or "json")) return await UsageAsync($"--output '{format}' is not table, wide or json").ConfigureAwait(false);
            var json = await AskAsync(parseResult.GetValue(socket)!, "status").ConfigureAwait(false);
            if (json is null) return 1;
            if (format == "json")
            {
                Console.WriteLine(json);
                return 0;
            }

            var status = JsonSerializer.Deserialize<SpeakerStatus>(json, BgpStatusProtocol.Json)!;
            Console.Write(BgpStatusTables.Peers(status, format == "wide", DateTimeOffset.UtcNow));
            return 0;
        });
        return command;
    }

    private static Command Routes()
    {
        var socket = SocketOption();
        var output = new Option<string>("--output", "-o") { Description = "table, wide or json", DefaultValueFactory = _ => "table" };
        var prefix = new Argument<string?>("prefix") { Description = "only this prefix and more specifics", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("routes", "Show the Loc-RIB: every path per prefix and why the best one won");
        command.Options.Add(socket);
        command.Options.Add(output);
        command.Arguments.Add(prefix);
        command.SetAction(async parseResult =>
        {
            var format = parseResult.GetValue(output)!;
            if (format is not ("table" or "wide" or "json")) return await UsageAsync($"--output '{format}' is not table, wide or json").ConfigureAwait(false);
            var filter = parseResult.GetValue(prefix);
            if (filter is not null && !System.Net.IPNetwork.TryParse(filter, out _)) return await UsageAsync($"prefix '{filter}' is not a CIDR").ConfigureAwait(false);
            var json = await AskAsync(parseResult.GetValue(socket)!, filter is null ? "routes" : $"routes {filter}").ConfigureAwait(false);
            if (json is null) return 1;
            if (format == "json")
            {
                Console.WriteLine(json);
                return 0;
            }

            var routes = JsonSerializer.Deserialize<List<RouteStatus>>(json, BgpStatusProtocol.Json)!;
            Console.Write(BgpStatusTables.Routes(routes, format == "wide"));
            return 0;
        });
        return command;
    }

    private static async Task<int> UsageAsync(string message)
    {
        await Console.Error.WriteLineAsync("error: " + message).ConfigureAwait(false);
        return 2;
    }

    /// <summary>Sends one request to the serve process; null (after printing why) when it cannot be reached.</summary>
    internal static async Task<string?> AskAsync(string path, string request)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path)).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request + "\n")).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Send);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync().ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            await Console.Error.WriteLineAsync($"error: cannot reach the BGP speaker at {path}: {e.Message} (is `tabbyctl bgp serve` running?)").ConfigureAwait(false);
            return null;
        }
    }
}
