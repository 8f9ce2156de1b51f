using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tabby.Testing.Namespaces;
using Xunit.Abstractions;

namespace Tabby.Testing.Daemons;

/// <summary>
/// A private single-member etcd (Debian's etcd-server, v3.4) with a temporary data directory,
/// listening on loopback ports of its own. Tabby talks to it through the v3 JSON gateway.
/// </summary>
public sealed class EtcdServer : Daemon
{
    private readonly int _clientPort;
    private readonly int _peerPort;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private EtcdServer(NetworkNamespace? ns, ITestOutputHelper? output, string listenAddress)
        : base("etcd", ns, output)
    {
        ListenAddress = listenAddress;
        _clientPort = ns is null ? FreePort.Next() : 2379;
        _peerPort = ns is null ? FreePort.Next() : 2380;
        ClientUrl = new Uri($"http://{listenAddress}:{_clientPort}");
    }

    public string ListenAddress { get; }

    /// <summary>The client URL, e.g. http://127.0.0.1:40123; the JSON gateway lives under /v3/.</summary>
    public Uri ClientUrl { get; }

    /// <summary>Starts etcd on 127.0.0.1 in the root namespace (loopback only).</summary>
    public static Task<EtcdServer> StartAsync(ITestOutputHelper? output = null) => StartAsync(null, "127.0.0.1", output);

    /// <summary>Starts etcd inside <paramref name="ns"/> listening on <paramref name="listenAddress"/>.</summary>
    public static async Task<EtcdServer> StartAsync(NetworkNamespace? ns, string listenAddress, ITestOutputHelper? output = null)
    {
        var server = new EtcdServer(ns, output, listenAddress);
        try
        {
            await ((Daemon)server).StartAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    protected override (string File, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string>? Environment) PrepareCommand()
    {
        var peer = $"http://{ListenAddress}:{_peerPort}";
        return ("etcd",
        [
            "--name", "default",
            "--data-dir", PathOf("data"),
            "--listen-client-urls", ClientUrl.ToString().TrimEnd('/'),
            "--advertise-client-urls", ClientUrl.ToString().TrimEnd('/'),
            "--listen-peer-urls", peer,
            "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"default={peer}",
            "--log-level", "warn",
        ], null);
    }

    protected override async Task<bool> IsReadyAsync()
    {
        if (Namespace is not null)
        {
            var result = await RunHereAsync("etcdctl", "--endpoints", ClientUrl.ToString(), "endpoint", "health").ConfigureAwait(false);
            return result.Succeeded;
        }

        try
        {
            var health = await _http.GetFromJsonAsync<JsonElement>(new Uri(ClientUrl, "/health")).ConfigureAwait(false);
            return health.TryGetProperty("health", out var h) && h.GetString() == "true";
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Puts a key through the v3 JSON gateway; returns the new revision.</summary>
    public async Task<long> PutAsync(string key, string value)
    {
        var body = new { key = Base64(key), value = Base64(value) };
        using var response = await _http.PostAsJsonAsync(new Uri(ClientUrl, "/v3/kv/put"), body).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false);
        return long.Parse(json.GetProperty("header").GetProperty("revision").GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Reads a key through the v3 JSON gateway; null when absent.</summary>
    public async Task<string?> GetAsync(string key)
    {
        using var response = await _http.PostAsJsonAsync(new Uri(ClientUrl, "/v3/kv/range"), new { key = Base64(key) }).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false);
        if (!json.TryGetProperty("kvs", out var kvs) || kvs.GetArrayLength() == 0)
        {
            return null;
        }

        var value = kvs[0].TryGetProperty("value", out var v) ? v.GetString() ?? "" : "";
        return Encoding.UTF8.GetString(Convert.FromBase64String(value));
    }

    /// <summary>Runs etcdctl (v3 API) against this server.</summary>
    public Task<Processes.CommandResult> EtcdctlAsync(params string[] arguments) =>
        RunHereAsync("etcdctl", ["--endpoints", ClientUrl.ToString(), .. arguments]);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    protected override void OnDisposed() => _http.Dispose();
}
