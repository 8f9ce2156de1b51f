using System.Diagnostics;
using Tabby.Testing.Namespaces;
using Tabby.Testing.Processes;
using Xunit.Abstractions;

namespace Tabby.Node.Tests.EndToEnd;

/// <summary>A tabby-node process in a namespace, its log dumped into the test output when disposed.</summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly NetworkNamespace _ns;
    private readonly Dictionary<string, string> _environment;
    private readonly string _logFile;
    private readonly ITestOutputHelper _output;
    private Process _process;

    private AgentProcess(NetworkNamespace ns, string name, Dictionary<string, string> environment, string logFile, ITestOutputHelper output)
    {
        _ns = ns;
        Name = name;
        _environment = environment;
        _logFile = logFile;
        _output = output;
        _process = Launch();
    }

    public string Name { get; }

    public string StatusSocket => _environment["TABBY_STATUS_SOCKET"];

    /// <summary>
    /// GET on the agent's health port (localhost:9099 inside its namespace, where the kubelet's
    /// probe would connect from the host network): status code and body.
    /// </summary>
    public async Task<(int Status, string Body)> ProbeAsync(string path)
    {
        using var handler = new System.Net.Http.SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                // A socket belongs to the namespace it was created in: create it there.
                var socket = _ns.Invoke(() => new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
                    System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp));
                try
                {
                    await socket.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9099), ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var http = new System.Net.Http.HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(new Uri("http://localhost:9099" + path));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static AgentProcess Start(NetworkNamespace ns, string name, string address, string dataDir, string scratch, ITestOutputHelper output) =>
        new(ns, name, new Dictionary<string, string>
        {
            ["NODENAME"] = name,
            ["IP"] = address,
            ["AS"] = "64512",
            ["DATASTORE_TYPE"] = "embedded",
            ["TABBY_DATASTORE_DIR"] = dataDir,
            ["CALICO_IPV4POOL_CIDR"] = "198.18.0.0/16",
            ["TABBY_STATUS_SOCKET"] = Path.Combine(scratch, name + ".sock"),
            ["TABBY_MTU_FILE"] = Path.Combine(scratch, name + ".mtu"),
            ["TABBY_METRICS_PORT"] = "0",
        }, Path.Combine(scratch, name + ".log"), output);

    public string Log()
    {
        using var stream = new FileStream(_logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>SIGTERM, as the kubelet stops a pod; waits for the agent to exit.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            Command.Run("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
    }

    public void Restart() => _process = Launch();

    private Process Launch() =>
        _ns.StartProcess(Path.Combine(AppContext.BaseDirectory, "tabby-node"), [], _logFile, _environment);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        try
        {
            _output.WriteLine($"===== tabby-node {Name} =====\n{Log()}");
        }
        catch (InvalidOperationException)
        {
        }
    }
}
