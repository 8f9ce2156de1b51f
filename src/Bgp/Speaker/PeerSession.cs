using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tabby.Bgp.Fsm;
using Tabby.Bgp.Rib;
using Tabby.Bgp.Transport;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Attributes;
using Tabby.Bgp.Wire.Capabilities;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Speaker;

/// <summary>
/// One configured neighbour: its FSM, connections, counters and Adj-RIB-Out. FSM callbacks arrive
/// under the FSM's lock and are forwarded to the speaker loop, which alone touches the RIBs; the
/// fields marked "loop" are only used there.
/// </summary>
internal sealed class PeerSession : IFsmHost, IConnectionHandler
{
    private readonly BgpSpeaker _speaker;
    private readonly ILogger _logger;
    private CancellationTokenSource? _connectCts;

    public PeerSession(BgpSpeaker speaker, PeerConfig config, ILogger logger)
    {
        _speaker = speaker;
        _logger = logger;
        Config = config;
        Out = new AdjRibOut(speaker.Rib);
        var options = speaker.Options;
        LocalAs = config.LocalAs ?? options.LocalAs;
        bool internalPeer = config.RemoteAs == LocalAs;
        RibPeer = new RibPeer(config.DisplayName, config.Address, config.RemoteAs, 0, internalPeer, config.RouteReflectorClient && options.ClusterId is not null);
        Security = new TransportSecurity
        {
            Password = config.Password,
            TtlSecurityHops = config.TtlSecurityHops,
            Ttl = config.Multihop ?? (internalPeer ? 64 : 1),
        };
        Fsm = new BgpFsm(BuildSettings(options, config, LocalAs), this, options.TimeProvider, logger, config.DisplayName);
    }

    /// <summary>Current configuration (policies may be swapped in place by the loop).</summary>
    public PeerConfig Config { get; set; }

    public uint LocalAs { get; }

    public RibPeer RibPeer { get; }

    public TransportSecurity Security { get; }

    public BgpFsm Fsm { get; }

    public MessageCounters Counters { get; } = new();

    // ---- loop state ----
    public AdjRibOut Out { get; }

    public BgpConnection? LoopConnection { get; set; }

    public NegotiatedSession? LoopNegotiated { get; set; }

    /// <summary>Initial table sent; incremental exports go to this peer.</summary>
    public bool Synced { get; set; }

    /// <summary>Families whose End-of-RIB (RFC 4724 section 2) the peer has sent since the session came up.</summary>
    public HashSet<AfiSafi> EndOfRibReceived { get; } = [];

    public long Received { get; set; }

    public long Accepted { get; set; }

    public long Stale { get; set; }

    public bool MaxPrefixWarned { get; set; }

    public ITimer? StaleTimer { get; set; }

    public Dictionary<(RibPeer, PathAttributes, Afi), PathAttributes?> ExportCache { get; } = [];

    /// <summary>The last export result, checked before <see cref="ExportCache"/>: consecutive changes usually share source and set.</summary>
    public (RibPeer? Source, PathAttributes? Accepted, Afi Afi, PathAttributes? Result) LastExport { get; set; }

    /// <summary>Forgets cached export results (session up or down, policy change).</summary>
    public void ClearExportCache()
    {
        ExportCache.Clear();
        LastExport = default;
    }

    public PathAttributes? LastImportKey { get; set; }

    public PathAttributes? LastImportResult { get; set; }

    private static SessionSettings BuildSettings(BgpSpeakerOptions options, PeerConfig config, uint localAs)
    {
        var families = new List<AfiSafi> { AfiSafi.Ipv4Unicast, AfiSafi.Ipv6Unicast };
        var addPath = new List<AddPathFamily>();
        var mode = (config.AddPathReceive ? AddPathMode.Receive : AddPathMode.None) | (config.AddPathSend ? AddPathMode.Send : AddPathMode.None);
        if (mode != AddPathMode.None) addPath.AddRange(families.Select(f => new AddPathFamily(f, mode)));
        GracefulRestartCapability? gr = null;
        if (config.GracefulRestart)
        {
            // RFC 4724 section 3: R bit after our own restart, F bit when forwarding survived it.
            bool restarting = options.RestartingAfterGracefulRestart;
            gr = new GracefulRestartCapability(restarting, false, (ushort)options.GracefulRestartTime.TotalSeconds,
                families.Select(f => new GracefulRestartFamily(f, restarting && options.ForwardingStatePreserved)).ToList());
        }

        return new SessionSettings
        {
            LocalAs = localAs,
            RouterId = options.RouterId,
            RemoteAs = config.RemoteAs,
            HoldTime = config.HoldTime,
            KeepaliveTime = config.KeepaliveTime,
            ConnectRetryTime = config.ConnectRetryTime,
            DelayOpenTime = config.DelayOpenTime,
            Passive = config.Passive,
            IdleHoldTime = config.IdleHoldTime,
            MaxIdleHoldTime = config.MaxIdleHoldTime,
            Families = families,
            AddPath = addPath,
            GracefulRestart = gr,
        };
    }

    /// <summary>Takes an accepted socket from the listener.</summary>
    public bool AcceptIncoming(Socket socket)
    {
        TcpSocketOptions.SetTtl(socket, Security.EffectiveTtl, Security.MinimumTtl);
        TcpSocketOptions.SetTrafficClass(socket);
        var connection = new BgpConnection(socket, incoming: true, Counters, _logger, _speaker.Interner);
        // The FSM must know the connection before the first byte is read.
        Fsm.ConnectionEstablished(connection);
        connection.Start(this);
        return true;
    }

    void IFsmHost.Connect()
    {
        var cts = new CancellationTokenSource();
        Interlocked.Exchange(ref _connectCts, cts)?.Cancel();
        var remote = new IPEndPoint(Config.Address, Config.Port);
        _ = Task.Run(async () =>
        {
            Socket socket;
            try
            {
                socket = await BgpConnector.ConnectAsync(remote, Config.SourceAddress, Security, _speaker.Options.SocketFactory, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (cts.IsCancellationRequested) return;
                var kind = e.SocketErrorCode == SocketError.ConnectionRefused ? SessionReasonKind.ConnectionRefused : SessionReasonKind.ConnectionFailed;
                Fsm.ConnectionFailed(null, SessionReason.Of(kind, $"connect to {remote} failed: {e.Message}"));
                return;
            }
            catch (Exception e) when (e is ArgumentException or ObjectDisposedException or InvalidOperationException)
            {
                Fsm.ConnectionFailed(null, SessionReason.Of(SessionReasonKind.ConnectionFailed, $"connect to {remote} failed: {e.Message}"));
                return;
            }

            if (cts.IsCancellationRequested)
            {
                socket.Dispose();
                return;
            }

            var connection = new BgpConnection(socket, incoming: false, Counters, _logger, _speaker.Interner);
            Fsm.ConnectionEstablished(connection);
            connection.Start(this);
        });
    }

    void IFsmHost.CancelConnect() => Interlocked.Exchange(ref _connectCts, null)?.Cancel();

    void IFsmHost.OnTransition(StateTransition transition) => _speaker.Post(() => _speaker.RaisePeerStateChanged(this, transition));

    void IFsmHost.OnEstablished(NegotiatedSession session, IBgpConnection connection) =>
        _speaker.Post(() => _speaker.SessionEstablished(this, session, (BgpConnection)connection));

    void IFsmHost.OnSessionDown(SessionReason reason, bool gracefulRestartHelper) =>
        _speaker.Post(() => _speaker.SessionDown(this, reason, gracefulRestartHelper));

    void IFsmHost.OnUpdate(UpdateMessage update) => _speaker.Post(() => _speaker.ApplyUpdate(this, update));

    void IFsmHost.OnRouteRefresh(RouteRefreshMessage message) => _speaker.Post(() => _speaker.RouteRefreshReceived(this, message));

    void IConnectionHandler.OnMessage(BgpConnection connection, BgpMessage message) => Fsm.Receive(connection, message);

    void IConnectionHandler.OnProtocolError(BgpConnection connection, BgpError error)
    {
        _logger.LogWarning("{Peer}: protocol error from {Remote}: {Error}", Config.DisplayName, connection.RemoteEndPoint, error);
        Fsm.ReceiveError(connection, error);
    }

    void IConnectionHandler.OnClosed(BgpConnection connection, SessionReason reason) => Fsm.ConnectionFailed(connection, reason);

    public override string ToString() => Config.DisplayName;
}
