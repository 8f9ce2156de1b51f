using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Tabby.Bgp.Transport;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Fsm;

/// <summary>
/// The session finite state machine of RFC 4271 section 8, one per peer. Inputs are the RFC's
/// events (start/stop, connection outcomes, received messages and errors, timer expiries); outputs
/// go to an <see cref="IFsmHost"/>. Every transition records its event and a
/// <see cref="SessionReason"/>. Timers run on a <see cref="TimeProvider"/>.
///
/// Design: one lock serialises all inputs (timer callbacks arrive on the thread pool). The FSM
/// owns at most two connections: the primary one, and during OpenSent/OpenConfirm a second one
/// for connection collision detection (RFC 4271 section 6.8). After an error the FSM waits in
/// Idle for an idle hold time that doubles per consecutive error (the DampPeerOscillations
/// option of section 8.1.1), then restarts itself.
///
/// Deviation from the letter of section 8.2.2 shared by BIRD, FRR and GoBGP: a failed outgoing
/// connection in Connect moves to Active with the ConnectRetryTimer running (instead of Idle),
/// so the next attempt follows after ConnectRetryTime.
/// </summary>
public sealed partial class BgpFsm : IDisposable
{
    private const int HistoryLength = 32;

    private readonly Lock _gate = new();
    private readonly SessionSettings _settings;
    private readonly IFsmHost _host;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _peerName;
    private readonly FsmTimer _connectRetry;
    private readonly FsmTimer _hold;
    private readonly FsmTimer _keepalive;
    private readonly FsmTimer _delayOpen;
    private readonly FsmTimer _idleHold;
    private readonly Queue<StateTransition> _history = new();
    private readonly OpenMessage _localOpen;

    private IBgpConnection? _connection;
    private PendingConnection? _pending;
    private bool _autoRestart;
    private int _consecutiveErrors;
    private DateTimeOffset _establishedAt;
    private bool _disposed;

    public BgpFsm(SessionSettings settings, IFsmHost host, TimeProvider time, ILogger logger, string peerName)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _settings = settings;
        _host = host ?? throw new ArgumentNullException(nameof(host));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _peerName = peerName;
        _connectRetry = new FsmTimer(time, "ConnectRetryTimer", OnTimer);
        _hold = new FsmTimer(time, "HoldTimer", OnTimer);
        _keepalive = new FsmTimer(time, "KeepaliveTimer", OnTimer);
        _delayOpen = new FsmTimer(time, "DelayOpenTimer", OnTimer);
        _idleHold = new FsmTimer(time, "IdleHoldTimer", OnTimer);
        _localOpen = OpenNegotiation.BuildOpen(settings);
        Since = time.GetUtcNow();
    }

    public SessionState State { get; private set; }

    /// <summary>When the current state was entered.</summary>
    public DateTimeOffset Since { get; private set; }

    /// <summary>The reason of the last transition.</summary>
    public SessionReason? LastReason { get; private set; }

    /// <summary>The last reason that took the session down or kept it from coming up.</summary>
    public SessionReason? LastError { get; private set; }

    /// <summary>What the OPEN exchange agreed on; null before OpenConfirm.</summary>
    public NegotiatedSession? Negotiated { get; private set; }

    /// <summary>How many times the session left Established.</summary>
    public int FlapCount { get; private set; }

    /// <summary>How long the FSM will wait in Idle before restarting (zero when not waiting).</summary>
    public TimeSpan IdleHoldInterval => _idleHold.IsRunning ? _idleHold.Interval : TimeSpan.Zero;

    public SessionSettings Settings => _settings;

    public OpenMessage LocalOpen => _localOpen;

    /// <summary>The connection of the current session, if any.</summary>
    public IBgpConnection? Connection
    {
        get { lock (_gate) return _connection; }
    }

    /// <summary>The last transitions, oldest first.</summary>
    public IReadOnlyList<StateTransition> History
    {
        get { lock (_gate) return [.. _history]; }
    }

    /// <summary>ManualStart (event 1), or ManualStart with PassiveTcpEstablishment (event 4) for passive peers.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _autoRestart = true;
            if (State != SessionState.Idle || _disposed) return;
            _idleHold.Stop();
            BeginConnecting(_settings.Passive ? FsmEvent.ManualStartWithPassiveTcpEstablishment : FsmEvent.ManualStart,
                SessionReason.Of(SessionReasonKind.AdministrativeStart, "started"));
        }
    }

    /// <summary>
    /// ManualStop (event 2): a Cease NOTIFICATION (Administrative Shutdown with the shutdown
    /// communication of RFC 9003, unless another subcode is given) when a connection is open, then Idle
    /// without restarting.
    /// </summary>
    public void Stop(string? shutdownCommunication = null, CeaseSubcode subcode = CeaseSubcode.AdministrativeShutdown)
    {
        lock (_gate)
        {
            _autoRestart = false;
            _idleHold.Stop();
            var cease = NotificationMessage.Cease(subcode, shutdownCommunication);
            var reason = SessionReason.Sent(subcode == CeaseSubcode.PeerDeconfigured ? SessionReasonKind.PeerDeconfigured : SessionReasonKind.AdministrativeStop,
                cease, shutdownCommunication is null ? "stopped" : $"stopped: {shutdownCommunication}");
            GoIdle(FsmEvent.ManualStop, reason, HasOpenConnection ? cease : null, countsAsError: false);
        }
    }

    /// <summary>
    /// Stops for a graceful restart of this speaker (RFC 4724 section 4.1): the connection is closed
    /// without a NOTIFICATION so the peer keeps our routes.
    /// </summary>
    public void StopForGracefulRestart()
    {
        lock (_gate)
        {
            _autoRestart = false;
            _idleHold.Stop();
            GoIdle(FsmEvent.ManualStop, SessionReason.Of(SessionReasonKind.GracefulRestartStop, "stopped for graceful restart, no NOTIFICATION sent"), null, countsAsError: false);
        }
    }

    /// <summary>
    /// AutomaticStop (event 8) with a NOTIFICATION, then Idle for <paramref name="idleFor"/> before
    /// restarting (e.g. maximum prefixes exceeded, RFC 4486 section 4).
    /// </summary>
    public void Reset(NotificationMessage notification, SessionReason reason, TimeSpan? idleFor = null)
    {
        ArgumentNullException.ThrowIfNull(notification);
        lock (_gate)
        {
            if (State == SessionState.Idle) return;
            GoIdle(FsmEvent.AutomaticStop, reason, HasOpenConnection ? notification : null, countsAsError: true, idleFor);
        }
    }

    /// <summary>
    /// A TCP connection is up: ours completed (TcpConnectionRequestAcked, event 16) or the peer's
    /// was accepted (TcpConnectionConfirmed, event 17).
    /// </summary>
    public void ConnectionEstablished(IBgpConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        lock (_gate)
        {
            var ev = connection.IsIncoming ? FsmEvent.TcpConnectionConfirmed : FsmEvent.TcpConnectionRequestAcked;
            switch (State)
            {
                case SessionState.Idle:
                    // RFC 4271 section 8.2.2: Idle refuses connections.
                    _logger.LogDebug("{Peer}: connection from {Remote} refused in Idle", _peerName, connection.RemoteEndPoint);
                    connection.Close();
                    return;
                case SessionState.Connect:
                case SessionState.Active:
                    if (connection.IsIncoming) _host.CancelConnect();
                    _connectRetry.Stop();
                    _connection = connection;
                    if (_settings.DelayOpenTime is { } delay && delay > TimeSpan.Zero)
                    {
                        _delayOpen.Start(delay);
                        Transition(State, ev, SessionReason.Of(SessionReasonKind.ConnectionEstablished,
                            $"connection {Describe(connection)} up, delaying OPEN for {delay.TotalSeconds} s"));
                        return;
                    }

                    SendOpen(connection);
                    _hold.Start(_settings.OpenHoldTime);
                    Transition(SessionState.OpenSent, ev, SessionReason.Of(SessionReasonKind.OpenSent, $"connection {Describe(connection)} up, OPEN sent"));
                    return;
                case SessionState.OpenSent:
                case SessionState.OpenConfirm:
                    AddCollisionCandidate(connection);
                    return;
                case SessionState.Established:
                    AcceptWhileEstablished(connection, ev);
                    return;
            }
        }
    }

    /// <summary>TcpConnectionFails (event 18) for <paramref name="connection"/>, or a failed outgoing attempt when null.</summary>
    public void ConnectionFailed(IBgpConnection? connection, SessionReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        lock (_gate)
        {
            if (connection is not null && _pending?.Connection == connection)
            {
                _pending = null;
                connection.Close();
                return;
            }

            if (connection is not null && connection != _connection) return;
            switch (State)
            {
                case SessionState.Connect:
                case SessionState.Active:
                    if (connection is null && _connection is not null) return; // an outgoing attempt failed while an incoming one is in DelayOpen
                    _delayOpen.Stop();
                    _connection?.Close();
                    _connection = null;
                    LastError = reason;
                    _connectRetry.Start(_settings.ConnectRetryTime);
                    Transition(SessionState.Active, FsmEvent.TcpConnectionFails, reason);
                    return;
                case SessionState.OpenSent:
                    if (connection is null) return;
                    // RFC 4271 section 8.2.2 (OpenSent, event 18): close, restart ConnectRetryTimer, go Active.
                    _connection?.Close();
                    _connection = null;
                    _hold.Stop();
                    LastError = reason;
                    _connectRetry.Start(_settings.ConnectRetryTime);
                    Transition(SessionState.Active, FsmEvent.TcpConnectionFails, reason);
                    return;
                case SessionState.OpenConfirm:
                case SessionState.Established:
                    if (connection is null) return;
                    GoIdle(FsmEvent.TcpConnectionFails, reason, null, countsAsError: true);
                    return;
            }
        }
    }

    /// <summary>A well-formed message arrived on <paramref name="connection"/> (events 19-27).</summary>
    public void Receive(IBgpConnection connection, BgpMessage message)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(message);
        lock (_gate)
        {
            if (_pending?.Connection == connection)
            {
                ReceiveOnCandidate(message);
                return;
            }

            if (connection != _connection) return;
            switch (message)
            {
                case OpenMessage open:
                    OnOpen(open);
                    break;
                case KeepaliveMessage:
                    OnKeepalive();
                    break;
                case NotificationMessage notification:
                    OnNotification(notification);
                    break;
                case UpdateMessage update:
                    OnUpdateOrRefresh(FsmEvent.UpdateMessage, () => _host.OnUpdate(update), MessageTypeOf(message));
                    break;
                case RouteRefreshMessage refresh:
                    OnUpdateOrRefresh(FsmEvent.UpdateMessage, () =>
                    {
                        // RFC 2918 section 4 / RFC 7313 section 5: ignore what was not negotiated or is unknown.
                        if (Negotiated?.RouteRefresh == true && refresh.IsKnownSubtype) _host.OnRouteRefresh(refresh);
                    }, MessageTypeOf(message));
                    break;
            }
        }
    }

    /// <summary>
    /// A received message broke the protocol (events 21, 22, 28): the error's NOTIFICATION is sent
    /// and the session goes to Idle.
    /// </summary>
    public void ReceiveError(IBgpConnection connection, BgpError error)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(error);
        lock (_gate)
        {
            if (_pending?.Connection == connection)
            {
                connection.Send(error.ToNotification());
                connection.Close();
                _pending = null;
                return;
            }

            if (connection != _connection) return;
            var ev = error.Code switch
            {
                (byte)BgpErrorCode.MessageHeaderError => FsmEvent.BgpHeaderError,
                (byte)BgpErrorCode.OpenMessageError => FsmEvent.BgpOpenMessageError,
                _ => FsmEvent.UpdateMessageError,
            };
            GoIdle(ev, SessionReason.Sent(error), error.ToNotification(), countsAsError: true);
        }
    }

    private bool HasOpenConnection => _connection is not null && State is SessionState.OpenSent or SessionState.OpenConfirm or SessionState.Established
        || (_connection is not null && _delayOpen.IsRunning);

    private void BeginConnecting(FsmEvent ev, SessionReason reason)
    {
        _connectRetry.Start(_settings.ConnectRetryTime);
        bool passive = ev is FsmEvent.ManualStartWithPassiveTcpEstablishment or FsmEvent.AutomaticStartWithPassiveTcpEstablishment
            or FsmEvent.AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment;
        if (passive)
        {
            Transition(SessionState.Active, ev, reason);
            return;
        }

        Transition(SessionState.Connect, ev, reason);
        _host.Connect();
    }

    private void SendOpen(IBgpConnection connection) => connection.Send(_localOpen);

    /// <summary>
    /// Leaves for Idle: stops timers, sends <paramref name="notification"/> if given, closes every
    /// connection, reports a lost session, and when restarting is allowed arms the IdleHoldTimer.
    /// </summary>
    private void GoIdle(FsmEvent ev, SessionReason reason, NotificationMessage? notification, bool countsAsError, TimeSpan? idleFor = null)
    {
        var wasEstablished = State == SessionState.Established;
        var negotiated = Negotiated;
        _connectRetry.Stop();
        _hold.Stop();
        _keepalive.Stop();
        _delayOpen.Stop();
        _host.CancelConnect();
        if (_connection is { } c)
        {
            if (notification is not null) c.Send(notification);
            c.Close();
            _connection = null;
        }

        if (_pending is { } p)
        {
            p.Connection.Close();
            _pending = null;
        }

        if (State == SessionState.Idle && ev != FsmEvent.ManualStop) return;
        LastError = reason;
        bool stable = wasEstablished && _time.GetUtcNow() - _establishedAt >= _settings.StableTime;
        if (stable) _consecutiveErrors = 0;
        if (countsAsError) _consecutiveErrors++;

        Negotiated = null;
        Transition(SessionState.Idle, ev, reason);
        if (wasEstablished)
        {
            FlapCount++;
            _host.OnSessionDown(reason, IsGracefulRestartHelperCase(negotiated, reason, notification));
        }

        if (_autoRestart && !_disposed)
        {
            _idleHold.Start(idleFor ?? NextIdleHold());
        }
    }

    /// <summary>IdleHoldTime doubled per consecutive error, capped at MaxIdleHoldTime.</summary>
    private TimeSpan NextIdleHold()
    {
        if (_consecutiveErrors <= 1) return _settings.IdleHoldTime;
        double factor = Math.Pow(2, Math.Min(_consecutiveErrors - 1, 16));
        var next = TimeSpan.FromTicks((long)Math.Min(_settings.IdleHoldTime.Ticks * factor, _settings.MaxIdleHoldTime.Ticks));
        return next;
    }

    /// <summary>
    /// RFC 4724 section 4.2: the helper keeps routes when the session ends without a NOTIFICATION
    /// (TCP failure, hold timer). RFC 8538 section 4: with the N bit on both sides, any NOTIFICATION
    /// but Cease / Hard Reset also keeps them.
    /// </summary>
    private static bool IsGracefulRestartHelperCase(NegotiatedSession? negotiated, SessionReason reason, NotificationMessage? sent)
    {
        if (negotiated?.PeerGracefulRestart is not { } peerGr) return false;
        if (reason.Kind is SessionReasonKind.AdministrativeStop or SessionReasonKind.PeerDeconfigured or SessionReasonKind.MaximumPrefixesReached) return false;
        if (reason.Kind == SessionReasonKind.HoldTimerExpired) return true;
        bool notificationInvolved = sent is not null || reason.Kind == SessionReasonKind.NotificationReceived;
        if (!notificationInvolved) return true;
        bool nBit = peerGr.Notification && negotiated.LocalOpen.Capabilities.OfType<Wire.Capabilities.GracefulRestartCapability>().Any(g => g.Notification);
        bool hardReset = reason.NotificationCode == (byte)BgpErrorCode.Cease && reason.NotificationSubcode == (byte)CeaseSubcode.HardReset;
        return nBit && !hardReset;
    }

    private void Transition(SessionState to, FsmEvent ev, SessionReason reason)
    {
        var from = State;
        var now = _time.GetUtcNow();
        State = to;
        if (from != to) Since = now;
        LastReason = reason;
        var transition = new StateTransition(from, to, ev, reason, now);
        _history.Enqueue(transition);
        while (_history.Count > HistoryLength) _history.Dequeue();
        if (to == SessionState.Established || from == SessionState.Established)
            _logger.LogInformation("{Peer}: {From} -> {To} ({Event}): {Reason}", _peerName, from, to, ev, reason.Description);
        else
            _logger.LogDebug("{Peer}: {From} -> {To} ({Event}): {Reason}", _peerName, from, to, ev, reason.Description);
        _host.OnTransition(transition);
    }

    private void OnTimer(FsmTimer timer, int generation)
    {
        lock (_gate)
        {
            if (_disposed || timer.Generation != generation || !timer.IsRunning) return;
            timer.Expired();
            if (timer == _connectRetry) OnConnectRetryExpired();
            else if (timer == _hold) OnHoldExpired();
            else if (timer == _keepalive) OnKeepaliveExpired();
            else if (timer == _delayOpen) OnDelayOpenExpired();
            else if (timer == _idleHold) OnIdleHoldExpired();
        }
    }

    private void OnConnectRetryExpired()
    {
        var reason = SessionReason.Of(SessionReasonKind.ConnectRetryExpired, $"ConnectRetryTimer ({_settings.ConnectRetryTime.TotalSeconds} s) expired");
        switch (State)
        {
            case SessionState.Connect:
                // RFC 4271 section 8.2.2 (Connect, event 9): drop the attempt and try again.
                _host.CancelConnect();
                _delayOpen.Stop();
                _connection?.Close();
                _connection = null;
                _connectRetry.Start(_settings.ConnectRetryTime);
                Transition(SessionState.Connect, FsmEvent.ConnectRetryTimerExpires, reason);
                _host.Connect();
                return;
            case SessionState.Active:
                _connectRetry.Start(_settings.ConnectRetryTime);
                if (_settings.Passive)
                {
                    Transition(SessionState.Active, FsmEvent.ConnectRetryTimerExpires, reason with { Description = reason.Description + ", still waiting for the peer (passive)" });
                    return;
                }

                Transition(SessionState.Connect, FsmEvent.ConnectRetryTimerExpires, reason);
                _host.Connect();
                return;
            default:
                GoIdle(FsmEvent.ConnectRetryTimerExpires, SessionReason.Of(SessionReasonKind.ProtocolError, "ConnectRetryTimer expired in " + State),
                    HasOpenConnection ? BgpError.Fsm(FsmErrorSubcode.UnspecifiedError, 0, "").ToNotification() : null, countsAsError: true);
                return;
        }
    }

    private void OnHoldExpired()
    {
        if (State is SessionState.Idle or SessionState.Connect or SessionState.Active) return;
        // RFC 4271 section 6.5: send Hold Timer Expired and close.
        var error = BgpError.HoldTimerExpired();
        var reason = SessionReason.Sent(SessionReasonKind.HoldTimerExpired, error.ToNotification(),
            $"hold timer expired (no message from the peer for {_hold.Interval.TotalSeconds} s)");
        GoIdle(FsmEvent.HoldTimerExpires, reason, error.ToNotification(), countsAsError: true);
    }

    private void OnKeepaliveExpired()
    {
        if (State is not (SessionState.OpenConfirm or SessionState.Established) || _connection is null) return;
        _connection.Send(KeepaliveMessage.Instance);
        if (Negotiated is { KeepaliveTime: var k } && k > TimeSpan.Zero) _keepalive.Start(k);
    }

    private void OnDelayOpenExpired()
    {
        if (State is not (SessionState.Connect or SessionState.Active) || _connection is null) return;
        SendOpen(_connection);
        _hold.Start(_settings.OpenHoldTime);
        Transition(SessionState.OpenSent, FsmEvent.DelayOpenTimerExpires, SessionReason.Of(SessionReasonKind.DelayOpenExpired, "DelayOpenTimer expired, OPEN sent"));
    }

    private void OnIdleHoldExpired()
    {
        if (State != SessionState.Idle || !_autoRestart) return;
        var ev = _settings.Passive ? FsmEvent.AutomaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment : FsmEvent.AutomaticStartWithDampPeerOscillations;
        BeginConnecting(ev, SessionReason.Of(SessionReasonKind.IdleHoldExpired, "IdleHoldTimer expired, restarting"));
    }

    private static byte MessageTypeOf(BgpMessage message) => (byte)message.Type;

    private static string Describe(IBgpConnection c) =>
        c.IsIncoming ? $"from {c.RemoteEndPoint}" : $"to {c.RemoteEndPoint}";

    internal static uint IdentifierOf(System.Net.IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(b);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _autoRestart = false;
            if (State != SessionState.Idle) GoIdle(FsmEvent.ManualStop, SessionReason.Of(SessionReasonKind.AdministrativeStop, "disposed"),
                HasOpenConnection ? NotificationMessage.Cease(CeaseSubcode.PeerDeconfigured) : null, countsAsError: false);
            _disposed = true;
            _connectRetry.Dispose();
            _hold.Dispose();
            _keepalive.Dispose();
            _delayOpen.Dispose();
            _idleHold.Dispose();
        }
    }
}
