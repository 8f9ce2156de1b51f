using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tabby.Bgp.Fsm;
using Tabby.Bgp.Speaker;
using Tabby.Testing;
using Tabby.Testing.Namespaces;

namespace Tabby.Interop.Tests.Harness;

/// <summary>
/// A Tabby speaker running in this test process with its sockets created inside a network
/// namespace (each socket is created on a thread that entered the namespace).
/// </summary>
public sealed class TabbyNode : IAsyncDisposable
{
    private readonly NetworkNamespace _ns;
    private readonly ITestOutputHelper? _output;
    private bool _stopped;

    private TabbyNode(NetworkNamespace ns, BgpSpeaker speaker, ITestOutputHelper? output)
    {
        _ns = ns;
        Speaker = speaker;
        _output = output;
    }

    public BgpSpeaker Speaker { get; }

    public static SocketFactoryFor Factory(NetworkNamespace ns) => new(ns);

    public static async Task<TabbyNode> StartAsync(NetworkNamespace ns, uint asn, string routerId, IEnumerable<PeerConfig> peers,
        ITestOutputHelper? output = null, Func<BgpSpeakerOptions, BgpSpeakerOptions>? edit = null)
    {
        var options = new BgpSpeakerOptions
        {
            LocalAs = asn,
            RouterId = IPAddress.Parse(routerId),
            ListenEndpoints = [new IPEndPoint(IPAddress.Any, 179), new IPEndPoint(IPAddress.IPv6Any, 179)],
            SocketFactory = new SocketFactoryFor(ns).Create,
            LoggerFactory = output is null ? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance : new TestOutputLoggerFactory(output),
        };
        if (edit is not null) options = edit(options);
        var speaker = new BgpSpeaker(options);
        foreach (var p in peers) await speaker.AddOrUpdatePeerAsync(p);
        await speaker.StartAsync();
        return new TabbyNode(ns, speaker, output);
    }

    /// <summary>A peer with the short timers the interop suite uses.</summary>
    public static PeerConfig Peer(string address, uint asn, Func<PeerConfig, PeerConfig>? edit = null)
    {
        var p = new PeerConfig
        {
            Address = IPAddress.Parse(address),
            RemoteAs = asn,
            ConnectRetryTime = TimeSpan.FromSeconds(1),
            IdleHoldTime = TimeSpan.FromSeconds(1),
            MaxIdleHoldTime = TimeSpan.FromSeconds(4),
            HoldTime = TimeSpan.FromSeconds(9),
        };
        return edit is null ? p : edit(p);
    }

    public async Task<PeerStatus> PeerAsync(string address) =>
        (await Speaker.GetStatusAsync()).Peers.Single(p => p.Address == IPAddress.Parse(address).ToString());

    public Task WaitEstablishedAsync(string address, TimeSpan? timeout = null) =>
        Wait.UntilAsync(async () => (await PeerAsync(address)).State == SessionState.Established, timeout ?? TimeSpan.FromSeconds(45),
            $"Tabby session with {address} to be Established", async () => System.Text.Json.JsonSerializer.Serialize(await PeerAsync(address)));

    public async Task<RouteStatus?> RouteAsync(string prefix) =>
        (await Speaker.GetRoutesAsync()).FirstOrDefault(r => r.Prefix == prefix);

    public Task WaitRouteAsync(string prefix, Func<RouteStatus, bool>? condition = null, TimeSpan? timeout = null) =>
        Wait.UntilAsync(async () => await RouteAsync(prefix) is { } r && (condition is null || condition(r)), timeout ?? TimeSpan.FromSeconds(30),
            $"Tabby to have {prefix}", async () => System.Text.Json.JsonSerializer.Serialize(await Speaker.GetRoutesAsync()));

    public Task WaitNoRouteAsync(string prefix, TimeSpan? timeout = null) =>
        Wait.UntilAsync(async () => await RouteAsync(prefix) is null, timeout ?? TimeSpan.FromSeconds(30), $"Tabby to drop {prefix}",
            async () => System.Text.Json.JsonSerializer.Serialize(await Speaker.GetRoutesAsync()));

    /// <summary>Stops the speaker (optionally as a graceful restart: no Cease).</summary>
    public async Task StopAsync(bool gracefulRestart = false)
    {
        if (_stopped) return;
        _stopped = true;
        await Speaker.StopAsync(gracefulRestart);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _ = _ns;
        _ = _output;
    }
}

/// <summary>Creates sockets inside a namespace.</summary>
public sealed class SocketFactoryFor(NetworkNamespace ns)
{
    public Socket Create(AddressFamily family) => ns.Invoke(() => new Socket(family, SocketType.Stream, ProtocolType.Tcp));
}

/// <summary>Speaker logs into the xunit output (shown for failing tests).</summary>
internal sealed class TestOutputLoggerFactory(ITestOutputHelper output) : ILoggerFactory
{
    public void AddProvider(ILoggerProvider provider) { }

    public ILogger CreateLogger(string categoryName) => new Logger(output, categoryName);

    public void Dispose() { }

    private sealed class Logger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished.
            }
        }
    }
}
