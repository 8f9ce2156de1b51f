using Tabby.Testing.Namespaces;
using Xunit.Abstractions;

namespace Tabby.Testing.Daemons;

/// <summary>
/// ExaBGP 4 with a static configuration in a namespace, logging to stdout (captured in the log
/// file). ExaBGP has no query interface in this setup; tests observe it through its log and
/// through the peer it talks to.
/// </summary>
public sealed class ExaBgpDaemon : Daemon
{
    private readonly string _config;
    private readonly IReadOnlyDictionary<string, string> _extraEnvironment;

    private ExaBgpDaemon(NetworkNamespace ns, string config, IReadOnlyDictionary<string, string>? environment, ITestOutputHelper? output)
        : base("exabgp", ns, output)
    {
        _config = config;
        _extraEnvironment = environment ?? new Dictionary<string, string>();
    }

    /// <summary>
    /// Starts ExaBGP. <paramref name="environment"/> adds exabgp.* settings, e.g.
    /// <c>exabgp.tcp.bind</c> to make it listen as well as connect.
    /// </summary>
    public static async Task<ExaBgpDaemon> StartAsync(NetworkNamespace ns, string config,
        ITestOutputHelper? output = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var daemon = new ExaBgpDaemon(ns, config, environment, output);
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
        File.WriteAllText(PathOf("exabgp.conf"), _config);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["exabgp.daemon.user"] = "root",
            ["exabgp.daemon.daemonize"] = "false",
            ["exabgp.log.destination"] = "stdout",
            ["exabgp.api.cli"] = "false",
            ["exabgp.tcp.bind"] = "",
        };
        foreach (var (key, value) in _extraEnvironment)
        {
            environment[key] = value;
        }

        return ("exabgp", [PathOf("exabgp.conf")], environment);
    }

    protected override Task<bool> IsReadyAsync() =>
        Task.FromResult(ReadLog().Contains("loaded new configuration successfully", StringComparison.Ordinal));

    /// <summary>True once ExaBGP's log says the session to <paramref name="peer"/> is up.</summary>
    public bool IsConnectedTo(string peer) =>
        ReadLog().Split('\n').Any(l => l.Contains("peer-", StringComparison.Ordinal)
                                       && l.Contains($"-{peer}", StringComparison.Ordinal)
                                       && l.Contains("connected", StringComparison.Ordinal));
}
