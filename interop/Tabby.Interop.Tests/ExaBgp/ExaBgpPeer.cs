using System.Text.Json;
using Tabby.Interop.Tests.Harness;
using Tabby.Testing;
using Tabby.Testing.Daemons;

namespace Tabby.Interop.Tests.ExaBgp;

/// <summary>
/// ExaBGP at 192.0.2.2 with an API process of ours: the process appends every JSON message
/// ExaBGP gives it (parsed UPDATEs) to a file, which is ExaBGP's own view of what we sent, and
/// forwards every line the test appends to a command file to ExaBGP (announce / withdraw).
/// </summary>
internal sealed class ExaBgpPeer : IAsyncDisposable
{
    private const string ApiScript = """
        import os, sys, threading, time
        dump, commands = sys.argv[1], sys.argv[2]

        def pump():
            with open(dump, "a") as f:
                for line in sys.stdin:
                    f.write(line)
                    f.flush()
            os._exit(0)

        threading.Thread(target=pump, daemon=True).start()
        offset = 0
        while True:
            try:
                with open(commands) as c:
                    c.seek(offset)
                    data = c.read()
            except FileNotFoundError:
                data = ""
            complete = data[: data.rfind("\n") + 1]
            if complete:
                offset += len(complete.encode())
                sys.stdout.write(complete)
                sys.stdout.flush()
            time.sleep(0.1)
        """;

    private readonly string _dumpFile;
    private readonly string _commandFile;

    private ExaBgpPeer(ExaBgpDaemon daemon, string dumpFile, string commandFile)
    {
        Daemon = daemon;
        _dumpFile = dumpFile;
        _commandFile = commandFile;
    }

    public ExaBgpDaemon Daemon { get; }

    /// <summary>The default routes ExaBGP originates, each with community, large community and MED.</summary>
    public const string DefaultRoutes = """
        route 203.0.113.0/24 next-hop 192.0.2.2 community [65002:10] large-community [65002:1:2] med 33;
        route 2001:db8:200::/48 next-hop 2001:db8::2 community [65002:10] large-community [65002:1:2] med 33;
        """;

    /// <param name="localAs">ExaBGP's AS.</param>
    /// <param name="tabbyAs">The AS ExaBGP expects from us.</param>
    /// <param name="listen">Accept connections as well (exabgp.tcp.bind).</param>
    /// <param name="passive">Do not connect (ExaBGP only listens; needs <paramref name="listen"/>).</param>
    /// <param name="extra">More neighbour statements (capability { ... }, ...).</param>
    /// <param name="routes">Static routes announced once the session is up.</param>
    public static async Task<ExaBgpPeer> StartAsync(TwoNodes net, ITestOutputHelper output, uint localAs, uint tabbyAs,
        bool listen = false, bool passive = false, string extra = "", string routes = DefaultRoutes)
    {
        var script = Path.Combine(net.Peer.ScratchDirectory, "api.py");
        var dump = Path.Combine(net.Peer.ScratchDirectory, "received.jsonl");
        var commands = Path.Combine(net.Peer.ScratchDirectory, "commands.txt");
        await File.WriteAllTextAsync(script, ApiScript);
        var config = $$"""
            process api {
              run /usr/bin/python3 {{script}} {{dump}} {{commands}};
              encoder json;
            }
            neighbor {{TwoNodes.TabbyV4}} {
              router-id {{TwoNodes.PeerV4}};
              local-address {{TwoNodes.PeerV4}};
              local-as {{localAs}};
              peer-as {{tabbyAs}};
              hold-time 9;
              {{(passive ? "passive true;" : "")}}
              family { ipv4 unicast; ipv6 unicast; }
              {{extra}}
              api { processes [ api ]; neighbor-changes; receive { parsed; update; notification; } }
              static {
                {{routes}}
              }
            }
            """;
        var environment = new Dictionary<string, string>();
        if (listen)
        {
            environment["exabgp.tcp.bind"] = TwoNodes.PeerV4;
            environment["exabgp.tcp.port"] = "179";
        }

        var daemon = await ExaBgpDaemon.StartAsync(net.Peer, config, output, environment);
        return new ExaBgpPeer(daemon, dump, commands);
    }

    /// <summary>Sends an API command such as <c>withdraw route 203.0.113.0/24 next-hop 192.0.2.2</c>.</summary>
    public Task CommandAsync(string command) => File.AppendAllTextAsync(_commandFile, command + "\n");

    /// <summary>The raw JSON lines ExaBGP handed to the API process.</summary>
    public string Received() => File.Exists(_dumpFile) ? File.ReadAllText(_dumpFile) : "";

    /// <summary>
    /// ExaBGP's current view of our routes: the received UPDATEs replayed in order, prefix to the
    /// attribute object of its latest announcement (withdrawn prefixes removed).
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement> Routes()
    {
        var routes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var root in Messages())
        {
            if (!root.TryGetProperty("neighbor", out var neighbor)
                || !neighbor.TryGetProperty("message", out var message)
                || !message.TryGetProperty("update", out var update))
            {
                continue;
            }

            if (update.TryGetProperty("withdraw", out var withdraw))
            {
                foreach (var family in withdraw.EnumerateObject())
                {
                    foreach (var nlri in family.Value.EnumerateArray())
                    {
                        routes.Remove(Prefix(nlri));
                    }
                }
            }

            if (update.TryGetProperty("announce", out var announce))
            {
                var attributes = update.TryGetProperty("attribute", out var a) ? a : default;
                foreach (var family in announce.EnumerateObject())
                {
                    foreach (var nextHop in family.Value.EnumerateObject())
                    {
                        foreach (var nlri in nextHop.Value.EnumerateArray())
                        {
                            routes[Prefix(nlri)] = AddNextHop(attributes, nextHop.Name);
                        }
                    }
                }
            }
        }

        return routes;
    }

    /// <summary>Waits until ExaBGP holds <paramref name="prefix"/> and returns its attributes (with "next-hop").</summary>
    public async Task<JsonElement> WaitRouteAsync(string prefix)
    {
        await Wait.UntilAsync(() => Routes().ContainsKey(prefix), TimeSpan.FromSeconds(20), $"ExaBGP to receive {prefix}",
            () => Received() + Daemon.ReadLog());
        return Routes()[prefix];
    }

    public Task WaitNoRouteAsync(string prefix) =>
        Wait.UntilAsync(() => !Routes().ContainsKey(prefix), TimeSpan.FromSeconds(20), $"ExaBGP to see {prefix} withdrawn",
            () => Received() + Daemon.ReadLog());

    /// <summary>
    /// True once ExaBGP reported a NOTIFICATION (code, subcode) received from us: as a
    /// "notification" message, or in the reason of a "down" state message (neighbor-changes).
    /// </summary>
    public bool ReceivedNotification(int code, int subcode) =>
        Messages().Any(m => m.TryGetProperty("neighbor", out var n) && n.TryGetProperty("direction", out var d) && d.GetString() == "receive"
                            && n.TryGetProperty("notification", out var notification)
                            && notification.GetProperty("code").GetInt32() == code && notification.GetProperty("subcode").GetInt32() == subcode)
        || HasDownReason($"notification received ({code},{subcode})");

    /// <summary>True once ExaBGP reported a session going down because it sent us NOTIFICATION (code, subcode).</summary>
    public bool SentNotification(int code, int subcode) => HasDownReason($"notification sent ({code},{subcode})");

    // The reason text embeds the NOTIFICATION data as raw characters, which can make the line
    // invalid JSON, so it is searched as text.
    private bool HasDownReason(string reason) =>
        Received().Split('\n').Any(l => l.Contains("\"state\": \"down\"", StringComparison.Ordinal) && l.Contains(reason, StringComparison.Ordinal));

    private IEnumerable<JsonElement> Messages()
    {
        foreach (var line in Received().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(line);
                root = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                continue; // "done" acknowledgements and anything else that is not a JSON message
            }

            if (root.ValueKind == JsonValueKind.Object) yield return root;
        }
    }

    // ExaBGP writes an NLRI as {"nlri": "prefix"} (or, in older encoders, as the bare prefix).
    private static string Prefix(JsonElement nlri) =>
        nlri.ValueKind == JsonValueKind.String ? nlri.GetString()! : nlri.GetProperty("nlri").GetString()!;

    private static JsonElement AddNextHop(JsonElement attributes, string nextHop)
    {
        var merged = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (attributes.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in attributes.EnumerateObject()) merged[p.Name] = p.Value;
        }

        merged["next-hop"] = JsonSerializer.SerializeToElement(nextHop);
        return JsonSerializer.SerializeToElement(merged);
    }

    public ValueTask DisposeAsync() => Daemon.DisposeAsync();
}
