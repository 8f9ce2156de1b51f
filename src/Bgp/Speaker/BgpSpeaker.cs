using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tabby.Bgp.Fsm;
using Tabby.Bgp.Rib;
using Tabby.Bgp.Transport;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Speaker;

/// <summary>Event data for a peer's state change.</summary>
public sealed class PeerStateChangedEventArgs(IPAddress peer, string name, StateTransition transition) : EventArgs
{
    public IPAddress Peer { get; } = peer;

    public string Name { get; } = name;

    public StateTransition Transition { get; } = transition;
}

/// <summary>
/// A BGP speaker: listeners, one session per configured peer, the Loc-RIB with its decision
/// process, per-peer Adj-RIB-Out, origination, route reflection, graceful restart, limits.
///
/// Threading: sessions read and decode on their own tasks; everything that touches the RIBs runs
/// on one loop that takes work items from a channel in batches. After each batch the changed
/// prefixes are exported to every synced peer (packed by attribute set) and published to
/// <see cref="BestPathChanges"/>. No locks around the RIB, no per-route tasks.
/// </summary>
public sealed partial class BgpSpeaker : IAsyncDisposable
{
    private const int BatchSize = 64;

    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<IPAddress, PeerSession> _peers = new();
    private readonly List<BgpListener> _listeners = [];
    private readonly ILogger _logger;
    private readonly LocRib _rib;
    private readonly RibPeer _local;
    private readonly Dictionary<BgpPrefix, PathAttributes> _originated = [];
    private readonly Dictionary<(RibPeer Source, uint PathId), uint> _sendPathIds = [];
    private readonly List<AdvertisedPath> _exportPaths = [];
    private readonly List<int> _pathOrder = [];
    private readonly Channel<BestPathChange>? _bestPathChanges;
    private readonly uint _clusterId;
    private Task? _loop;
    private DateTimeOffset _startedAt;
    private int _state; // 0 new, 1 running, 2 stopped

    public BgpSpeaker(BgpSpeakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _logger = options.LoggerFactory.CreateLogger("Tabby.Bgp.Speaker");
        _rib = new LocRib(new DecisionProcess(options.Decision)) { TrackChanges = true };
        _local = RibPeer.Local(options.LocalAs, BgpFsm.IdentifierOf(options.RouterId));
        _clusterId = options.ClusterId is { } c ? BgpFsm.IdentifierOf(c) : 0;
        if (options.PublishBestPathChanges)
            _bestPathChanges = Channel.CreateUnbounded<BestPathChange>(new UnboundedChannelOptions { SingleWriter = true });
    }

    public BgpSpeakerOptions Options { get; }

    internal LocRib Rib => _rib;

    /// <summary>Attribute sets are interned speaker-wide: every route with the same attributes shares one object.</summary>
    public AttributeSetInterner Interner { get; } = new();

    /// <summary>Best-path changes for the kernel (only when <see cref="BgpSpeakerOptions.PublishBestPathChanges"/> is set).</summary>
    public ChannelReader<BestPathChange> BestPathChanges =>
        _bestPathChanges?.Reader ?? throw new InvalidOperationException("set PublishBestPathChanges to read best-path changes");

    /// <summary>Raised on the speaker loop for every session state change, with its reason.</summary>
    public event EventHandler<PeerStateChangedEventArgs>? PeerStateChanged;

    /// <summary>The addresses listeners are bound to (useful with port 0).</summary>
    public IReadOnlyList<IPEndPoint> ListeningOn => _listeners.Select(l => l.LocalEndPoint).ToList();

    /// <summary>Starts listeners, the loop and every configured session.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) throw new InvalidOperationException("the speaker was already started");
        _startedAt = Options.TimeProvider.GetUtcNow();
        HotPathWarmup.Start();
        _loop = StartLoopThread();
        // Sessions first, listeners after: a session that has not started refuses an incoming
        // connection (RFC 4271 section 8.2.2, Idle state), so a peer that dialled in between
        // would wait a whole connect-retry interval.
        foreach (var peer in _peers.Values) StartPeer(peer);
        foreach (var endpoint in Options.ListenEndpoints)
        {
            var listener = BgpListener.Start(endpoint, Options.SocketFactory, AcceptConnection, _logger);
            foreach (var peer in _peers.Values) listener.SetPassword(peer.Config.Address, peer.Config.Password); // TCP MD5 before any SYN
            _listeners.Add(listener);
            _logger.LogInformation("listening on {Endpoint}", listener.LocalEndPoint);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops every session and the loop. With <paramref name="gracefulRestart"/> no Cease is sent:
    /// connections just close, so peers that help with graceful restart keep our routes (RFC 4724
    /// section 4.1) until we come back and send End-of-RIB.
    /// </summary>
    public async Task StopAsync(bool gracefulRestart = false)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1) return;
        foreach (var peer in _peers.Values)
        {
            if (gracefulRestart) peer.Fsm.StopForGracefulRestart();
            else peer.Fsm.Stop("speaker shutting down");
        }

        foreach (var listener in _listeners) await listener.DisposeAsync().ConfigureAwait(false);
        _listeners.Clear();
        // Let the loop process the session-down work, then end it.
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() => drained.TrySetResult());
        await drained.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _work.Writer.TryComplete();
        if (_loop is not null) await _loop.ConfigureAwait(false);
        foreach (var peer in _peers.Values) peer.Fsm.Dispose();
        _bestPathChanges?.Writer.TryComplete();
        // Give queued NOTIFICATIONs a moment to leave before the process goes away.
        await Task.Delay(100).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds a peer, or updates one: a change of policies or limits only re-evaluates routes (the
    /// session stays up, routes received are re-imported from the stored Adj-RIB-In and exports are
    /// recomputed); any other change restarts only that session.
    /// </summary>
    public async Task AddOrUpdatePeerAsync(PeerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        if (_peers.TryGetValue(config.Address, out var existing))
        {
            if (existing.Config == config) return;
            if (existing.Config.DiffersOnlyInPolicies(config))
            {
                await InvokeAsync(() => UpdatePolicies(existing, config)).ConfigureAwait(false);
                return;
            }

            await RemovePeerAsync(config.Address, CeaseSubcode.OtherConfigurationChange).ConfigureAwait(false);
        }

        // ADD-PATH send peers need every path change exported, not only best-path changes.
        // Queued before anything of the new session, so the loop sees it first.
        if (config.AddPathSend) Post(() => _rib.TrackAllPathChanges = true);
        var session = new PeerSession(this, config, Options.LoggerFactory.CreateLogger($"Tabby.Bgp.Peer.{config.DisplayName}"));
        if (!_peers.TryAdd(config.Address, session)) throw new InvalidOperationException($"peer {config.Address} was added concurrently");
        foreach (var listener in _listeners) listener.SetPassword(config.Address, config.Password);
        if (Volatile.Read(ref _state) == 1) StartPeer(session);
    }

    /// <summary>Removes a peer: Cease / Peer De-configured (RFC 4486), its routes withdrawn.</summary>
    public Task RemovePeerAsync(IPAddress address) => RemovePeerAsync(address, CeaseSubcode.PeerDeconfigured);

    private async Task RemovePeerAsync(IPAddress address, CeaseSubcode subcode)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!_peers.TryRemove(address, out var session)) return;
        foreach (var listener in _listeners) listener.SetPassword(address, null);
        session.Fsm.Stop(subcode == CeaseSubcode.PeerDeconfigured ? "peer removed from configuration" : "peer configuration changed", subcode);
        await InvokeAsync(() =>
        {
            StopStaleTimer(session);
            RemoveAllPaths(session, _ => true);
            session.Out.Clear();
            session.Synced = false;
        }).ConfigureAwait(false);
        session.Fsm.Dispose();
    }

    /// <summary>Originates <paramref name="prefix"/> (e.g. a pod block) with <paramref name="attributes"/>.</summary>
    public void Originate(BgpPrefix prefix, RouteAttributes? attributes = null)
    {
        var a = attributes ?? RouteAttributes.Default;
        Post(() =>
        {
            var built = Interner.Intern(BuildLocalAttributes(prefix, a));
            _originated[prefix] = built;
            _rib.Upsert(prefix, new RibPath(_local, built, built));
        });
    }

    /// <summary>Stops originating <paramref name="prefix"/>.</summary>
    public void Withdraw(BgpPrefix prefix) => Post(() =>
    {
        _originated.Remove(prefix);
        _rib.Remove(prefix, _local, 0);
    });

    /// <summary>Runs <paramref name="action"/> on the loop and waits for it (e.g. to observe state consistently).</summary>
    public Task InvokeAsync(Action action)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_work.Writer.TryWrite(() =>
        {
            try
            {
                action();
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        }))
        {
            action();
            done.TrySetResult();
        }

        return done.Task;
    }

    internal void Post(Action work)
    {
        if (!_work.Writer.TryWrite(work)) _logger.LogDebug("speaker stopped; work dropped");
    }

    private static PathAttributes BuildLocalAttributes(BgpPrefix prefix, RouteAttributes a)
    {
        var b = new PathAttributesBuilder
        {
            Origin = a.Origin,
            AsPath = AsPath.Empty,
            LocalPref = a.LocalPreference,
            MultiExitDisc = a.Med,
        };
        // An unspecified next hop means "our address on each session", filled in on export.
        if (prefix.IsIpv4) b.NextHop = a.NextHop ?? IPAddress.Any;
        else b.MpNextHop = a.NextHop ?? IPAddress.IPv6Any;
        b.Communities.AddRange(a.Communities);
        b.LargeCommunities.AddRange(a.LargeCommunities);
        return b.Build();
    }

    private void StartPeer(PeerSession session)
    {
        foreach (var listener in _listeners) listener.SetPassword(session.Config.Address, session.Config.Password);
        session.Fsm.Start();
    }

    private bool AcceptConnection(IPAddress remote, System.Net.Sockets.Socket socket)
    {
        if (Volatile.Read(ref _state) != 1 || !_peers.TryGetValue(remote, out var session)) return false;
        return session.AcceptIncoming(socket);
    }

    private long RejectedConnections => _listeners.Sum(l => l.RejectedConnections);

    /// <summary>
    /// The loop gets a thread of its own: during a table transfer it is busy for seconds at a
    /// time, and on a pool thread it would leave the socket readers and writers (whose
    /// completions run on the pool) one thread short until the pool noticed and added one.
    /// </summary>
    private Task StartLoopThread()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                RunLoop();
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "bgp-speaker-loop",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Blocks the loop thread until work arrives; false when the speaker stopped.</summary>
    private static bool WaitForWork(ChannelReader<Action> reader)
    {
        var wait = reader.WaitToReadAsync();
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }

    private void RunLoop()
    {
        var reader = _work.Reader;
        while (WaitForWork(reader))
        {
            int n = 0;
            while (n < BatchSize && reader.TryRead(out var work))
            {
                try
                {
                    work();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    _logger.LogError(e, "speaker loop work failed");
                }

                n++;
            }

            try
            {
                ExportChanges();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogError(e, "export failed");
            }
        }
    }

    internal void RaisePeerStateChanged(PeerSession session, StateTransition transition)
    {
        PeerStateChanged?.Invoke(this, new PeerStateChangedEventArgs(session.Config.Address, session.Config.DisplayName, transition));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
    }
}
