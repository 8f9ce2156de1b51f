using System.Text.Json;
using Tabby.Testing.Namespaces;
using Xunit.Abstractions;

namespace Tabby.Testing.Daemons;

/// <summary>
/// FRR's bgpd alone (no zebra, <c>-n</c> keeps it out of the kernel) in a namespace, queried with
/// vtysh on a private vty socket directory. eBGP configs need <c>no bgp ebgp-requires-policy</c>
/// for routes to flow without route-maps.
/// </summary>
public sealed class FrrBgpDaemon : Daemon
{
    private readonly string _config;

    private FrrBgpDaemon(NetworkNamespace ns, string config, ITestOutputHelper? output) : base("bgpd", ns, output)
    {
        _config = config;
    }

    public string VtyDirectory => PathOf("vty");

    public static async Task<FrrBgpDaemon> StartAsync(NetworkNamespace ns, string config, ITestOutputHelper? output = null)
    {
        var daemon = new FrrBgpDaemon(ns, config, output);
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
        Directory.CreateDirectory(VtyDirectory);
        File.WriteAllText(PathOf("bgpd.conf"), _config);
        return ("/usr/lib/frr/bgpd",
            ["-Z", "-S", "-n", "-f", PathOf("bgpd.conf"), "-i", PathOf("bgpd.pid"), "--vty_socket", VtyDirectory,
             "-P", "0", "-u", "root", "-g", "root", "--log", "stdout"], null);
    }

    protected override async Task<bool> IsReadyAsync() =>
        File.Exists(Path.Combine(VtyDirectory, "bgpd.vty"))
        && (await RunHereAsync("vtysh", "--vty_socket", VtyDirectory, "-c", "show bgp summary").ConfigureAwait(false)).Succeeded;

    /// <summary>Runs one vtysh command against this bgpd.</summary>
    public async Task<string> VtyshAsync(string command) =>
        (await RunHereAsync("vtysh", "--vty_socket", VtyDirectory, "-c", command).ConfigureAwait(false)).EnsureSuccess().StandardOutput;

    /// <summary>Runs a vtysh command ending in <c>json</c> and parses its output.</summary>
    public async Task<JsonElement> VtyshJsonAsync(string command)
    {
        var text = await VtyshAsync(command).ConfigureAwait(false);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>The neighbour's BGP state as bgpd reports it ("Established", "Active" ...).</summary>
    public async Task<string?> NeighborStateAsync(string address)
    {
        var json = await VtyshJsonAsync($"show bgp neighbors {address} json").ConfigureAwait(false);
        return json.TryGetProperty(address, out var neighbor) && neighbor.TryGetProperty("bgpState", out var state)
            ? state.GetString()
            : null;
    }

    public Task WaitEstablishedAsync(string address, TimeSpan? timeout = null) =>
        Wait.UntilAsync(async () => await NeighborStateAsync(address).ConfigureAwait(false) == "Established",
            timeout ?? TimeSpan.FromSeconds(60), $"bgpd neighbor {address} to be Established",
            async () => await VtyshAsync($"show bgp neighbors {address}").ConfigureAwait(false) + "\n" + ReadLog());
}
