using Tabby.Testing.Namespaces;
using Xunit.Abstractions;

namespace Tabby.Testing.Daemons;

/// <summary>
/// BIRD 2 (<c>bird -f -c CONF -s SOCK -P PID</c>) in a namespace, queried with birdc on its private
/// control socket. The test writes the configuration; note that <c>rr</c> is a BIRD keyword and
/// cannot name a protocol.
/// </summary>
public sealed class BirdDaemon : Daemon
{
    private string _config;

    private BirdDaemon(NetworkNamespace ns, string config, ITestOutputHelper? output) : base("bird", ns, output)
    {
        _config = config;
    }

    public string ConfigFile => PathOf("bird.conf");

    public string ControlSocket => PathOf("bird.ctl");

    public static async Task<BirdDaemon> StartAsync(NetworkNamespace ns, string config, ITestOutputHelper? output = null)
    {
        var daemon = new BirdDaemon(ns, config, output);
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
        File.WriteAllText(ConfigFile, _config);
        return ("bird", ["-f", "-c", ConfigFile, "-s", ControlSocket, "-P", PathOf("bird.pid")], null);
    }

    protected override async Task<bool> IsReadyAsync() =>
        File.Exists(ControlSocket) && (await RunHereAsync("birdc", "-s", ControlSocket, "show", "status").ConfigureAwait(false))
            .StandardOutput.Contains("Daemon is up and running", StringComparison.Ordinal);

    /// <summary>Runs a birdc command and returns its output (throws if birdc fails).</summary>
    public async Task<string> BirdcAsync(params string[] command) =>
        (await RunHereAsync("birdc", ["-s", ControlSocket, .. command]).ConfigureAwait(false)).EnsureSuccess().StandardOutput;

    /// <summary><c>show protocols all NAME</c>: the full state of one protocol.</summary>
    public Task<string> ShowProtocolAsync(string protocol) => BirdcAsync("show", "protocols", "all", protocol);

    /// <summary><c>show route ARGS</c>, e.g. <c>ShowRouteAsync("protocol", "peer1")</c>.</summary>
    public Task<string> ShowRouteAsync(params string[] arguments) => BirdcAsync(["show", "route", .. arguments]);

    /// <summary>The BGP state of a protocol as birdc reports it ("Established", "Active", "Connect" ...).</summary>
    public async Task<string?> BgpStateAsync(string protocol)
    {
        var text = await ShowProtocolAsync(protocol).ConfigureAwait(false);
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith("BGP state:", StringComparison.Ordinal))
            {
                return trimmed["BGP state:".Length..].Trim();
            }
        }

        return null;
    }

    /// <summary>Waits until the BGP protocol reaches Established.</summary>
    public Task WaitEstablishedAsync(string protocol, TimeSpan? timeout = null) =>
        Wait.UntilAsync(async () => await BgpStateAsync(protocol).ConfigureAwait(false) == "Established",
            timeout ?? TimeSpan.FromSeconds(60), $"BIRD protocol {protocol} to be Established",
            async () => await ShowProtocolAsync(protocol).ConfigureAwait(false) + "\n" + ReadLog());

    /// <summary>Replaces the configuration and asks BIRD to reload it (<c>birdc configure</c>).</summary>
    public async Task ReconfigureAsync(string config)
    {
        _config = config;
        await File.WriteAllTextAsync(ConfigFile, config).ConfigureAwait(false);
        var output = await BirdcAsync("configure").ConfigureAwait(false);
        if (!output.Contains("Reconfigured", StringComparison.Ordinal) && !output.Contains("Reconfiguration in progress", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"BIRD refused the new configuration:\n{output}");
        }
    }
}
