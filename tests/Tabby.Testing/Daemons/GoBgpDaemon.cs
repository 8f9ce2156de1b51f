using System.Text.Json;
using Tabby.Testing.Namespaces;
using Xunit.Abstractions;

namespace Tabby.Testing.Daemons;

/// <summary>
/// gobgpd with a TOML config in a namespace; its gRPC API listens on the namespace's own loopback
/// and is queried with the gobgp CLI run in the same namespace.
/// </summary>
public sealed class GoBgpDaemon : Daemon
{
    /// <summary>The API port inside the namespace (private to it, so a fixed number is fine).</summary>
    public const int ApiPort = 50051;

    /// <summary>gobgp's numeric session states (apipb.PeerState.SessionState).</summary>
    public const int SessionEstablished = 6;

    private readonly string _config;

    private GoBgpDaemon(NetworkNamespace ns, string config, ITestOutputHelper? output) : base("gobgpd", ns, output)
    {
        _config = config;
    }

    /// <summary>
    /// More gobgpd arguments for the next start, e.g. <c>["-l", "debug"]</c> (logs every
    /// NOTIFICATION) or <c>["-r"]</c> (Restart State bit after a graceful restart); set before
    /// <see cref="Daemon.RestartAsync"/> to change them for the restart.
    /// </summary>
    public IReadOnlyList<string> ExtraArguments { get; set; } = [];

    public static Task<GoBgpDaemon> StartAsync(NetworkNamespace ns, string tomlConfig, ITestOutputHelper? output = null) =>
        StartAsync(ns, tomlConfig, output, []);

    /// <summary>Starts gobgpd with <paramref name="extraArguments"/> (see <see cref="ExtraArguments"/>).</summary>
    public static async Task<GoBgpDaemon> StartAsync(NetworkNamespace ns, string tomlConfig, ITestOutputHelper? output, IReadOnlyList<string> extraArguments)
    {
        var daemon = new GoBgpDaemon(ns, tomlConfig, output) { ExtraArguments = extraArguments };
        try
        {
            await ((Daemon)daemon).StartAsync().ConfigureAwait(false);
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override (string File, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string>? Environment) PrepareCommand()
    {
        File.WriteAllText(PathOf("gobgpd.toml"), _config);
        return ("gobgpd", ["-f", PathOf("gobgpd.toml"), "--api-hosts", $"127.0.0.1:{ApiPort}", "--pprof-disable", .. ExtraArguments], null);
    }

    protected override async Task<bool> IsReadyAsync() =>
        (await RunHereAsync("gobgp", "-u", "127.0.0.1", "-p", $"{ApiPort}", "global").ConfigureAwait(false)).Succeeded;

    /// <summary>Runs the gobgp CLI, e.g. <c>GobgpAsync("global", "rib", "add", "198.51.100.0/24")</c>.</summary>
    public async Task<string> GobgpAsync(params string[] arguments) =>
        (await RunHereAsync("gobgp", ["-u", "127.0.0.1", "-p", $"{ApiPort}", .. arguments]).ConfigureAwait(false)).EnsureSuccess().StandardOutput;

    /// <summary>Runs the gobgp CLI with <c>-j</c> and parses the JSON it prints.</summary>
    public async Task<JsonElement> GobgpJsonAsync(params string[] arguments)
    {
        var text = await GobgpAsync([.. arguments, "-j"]).ConfigureAwait(false);
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "null" : text);
        return document.RootElement.Clone();
    }

    /// <summary>The neighbour's session state number (6 = Established), or 0 if unknown.</summary>
    public async Task<int> SessionStateAsync(string address)
    {
        var json = await GobgpJsonAsync("neighbor", address).ConfigureAwait(false);
        return json.ValueKind == JsonValueKind.Object
               && json.TryGetProperty("state", out var state)
               && state.TryGetProperty("session_state", out var session)
            ? session.GetInt32()
            : 0;
    }

    public Task WaitEstablishedAsync(string address, TimeSpan? timeout = null) =>
        Wait.UntilAsync(async () => await SessionStateAsync(address).ConfigureAwait(false) == SessionEstablished,
            timeout ?? TimeSpan.FromSeconds(60), $"gobgpd neighbor {address} to be Established",
            async () => await GobgpAsync("neighbor").ConfigureAwait(false) + "\n" + ReadLog());

    /// <summary>Prefixes in the global RIB of one family ("ipv4" or "ipv6"), keyed by prefix.</summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> GlobalRibAsync(string family = "ipv4")
    {
        var json = await GobgpJsonAsync("global", "rib", "-a", family).ConfigureAwait(false);
        var routes = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (json.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in json.EnumerateObject())
            {
                routes[property.Name] = property.Value;
            }
        }

        return routes;
    }
}
