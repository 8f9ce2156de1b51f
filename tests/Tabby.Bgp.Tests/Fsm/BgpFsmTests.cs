using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Bgp.Fsm;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Capabilities;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;
using Tabby.Testing.Time;

namespace Tabby.Bgp.Tests.Fsm;

public sealed class BgpFsmTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly RecordingHost _host = new();

    private BgpFsm Create(Func<SessionSettings, SessionSettings>? edit = null) =>
        new(FsmFixtures.Settings(edit), _host, _time, NullLogger.Instance, "test-peer");

    private (BgpFsm Fsm, FakeConnection Connection) Establish(Func<SessionSettings, SessionSettings>? edit = null, OpenMessage? peerOpen = null)
    {
        var fsm = Create(edit);
        fsm.Start();
        var c = new FakeConnection(incoming: false);
        fsm.ConnectionEstablished(c);
        fsm.Receive(c, peerOpen ?? FsmFixtures.PeerOpen());
        fsm.Receive(c, KeepaliveMessage.Instance);
        Assert.Equal(SessionState.Established, fsm.State);
        return (fsm, c);
    }

    [Fact]
    public void StartConnectsAndFailedConnectionMovesToActiveThenRetries()
    {
        using var fsm = Create();
        fsm.Start();
        Assert.Equal(SessionState.Connect, fsm.State);
        Assert.Equal(1, _host.ConnectCalls);

        fsm.ConnectionFailed(null, SessionReason.Of(SessionReasonKind.ConnectionRefused, "connection refused"));
        Assert.Equal(SessionState.Active, fsm.State);
        Assert.Equal(SessionReasonKind.ConnectionRefused, fsm.LastError!.Kind);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(SessionState.Connect, fsm.State);
        Assert.Equal(2, _host.ConnectCalls);
        Assert.Equal(FsmEvent.ConnectRetryTimerExpires, fsm.History[^1].Event);
    }

    [Fact]
    public void ConnectRetryExpiryInConnectAbandonsTheAttemptAndTriesAgain()
    {
        using var fsm = Create();
        fsm.Start();
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(SessionState.Connect, fsm.State);
        Assert.Equal(2, _host.ConnectCalls);
        Assert.True(_host.CancelCalls >= 1);
    }

    [Fact]
    public void PassivePeerWaitsInActiveAndNeverConnects()
    {
        using var fsm = Create(s => s with { Passive = true });
        fsm.Start();
        Assert.Equal(SessionState.Active, fsm.State);
        Assert.Equal(FsmEvent.ManualStartWithPassiveTcpEstablishment, fsm.History[^1].Event);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(SessionState.Active, fsm.State);
        Assert.Equal(0, _host.ConnectCalls);

        var incoming = new FakeConnection(incoming: true);
        fsm.ConnectionEstablished(incoming);
        Assert.Equal(SessionState.OpenSent, fsm.State);
        Assert.IsType<OpenMessage>(incoming.Sent[0]);
    }

    [Fact]
    public void HandshakeReachesEstablishedWithNegotiatedTimers()
    {
        var (fsm, c) = Establish(peerOpen: FsmFixtures.PeerOpen(hold: 9));
        using var _ = fsm;
        var open = Assert.IsType<OpenMessage>(c.Sent[0]);
        Assert.Equal(90, open.HoldTimeSeconds);
        Assert.Equal(65001u, open.AsNumber);
        Assert.IsType<KeepaliveMessage>(c.Sent[1]);
        Assert.NotNull(_host.Established);
        Assert.Equal(TimeSpan.FromSeconds(9), fsm.Negotiated!.HoldTime);
        Assert.Equal(TimeSpan.FromSeconds(3), fsm.Negotiated.KeepaliveTime);
        Assert.NotNull(c.SendOptions);
        Assert.True(c.SendOptions!.FourOctetAs);
        Assert.Equal([SessionState.Connect, SessionState.OpenSent, SessionState.OpenConfirm, SessionState.Established], _host.Transitions.Select(t => t.To));
    }

    [Fact]
    public void KeepalivesAreSentAndHoldTimerExpiresWithNotification()
    {
        var (fsm, c) = Establish(peerOpen: FsmFixtures.PeerOpen(hold: 9));
        using var _ = fsm;
        int before = c.Sent.OfType<KeepaliveMessage>().Count();
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(before + 1, c.Sent.OfType<KeepaliveMessage>().Count());
        fsm.Receive(c, KeepaliveMessage.Instance); // restarts the hold timer at t=3
        _time.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(SessionState.Established, fsm.State);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(SessionState.Idle, fsm.State);
        var n = c.Last<NotificationMessage>();
        Assert.Equal((byte)BgpErrorCode.HoldTimerExpired, n.Code);
        Assert.True(c.Closed);
        Assert.Equal(SessionReasonKind.HoldTimerExpired, fsm.LastError!.Kind);
        Assert.Equal(1, fsm.FlapCount);
        Assert.Single(_host.Downs);
        Assert.False(_host.Downs[0].GracefulRestart);
    }

    [Fact]
    public void ZeroHoldTimeSendsNoKeepalives()
    {
        var (fsm, c) = Establish(peerOpen: FsmFixtures.PeerOpen(hold: 0));
        using var _ = fsm;
        int before = c.Sent.Count;
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(SessionState.Established, fsm.State);
        Assert.Equal(before, c.Sent.Count);
    }

    [Fact]
    public void WrongPeerAsSendsBadPeerAsAndBacksOffExponentially()
    {
        using var fsm = Create();
        fsm.Start();
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            var c = new FakeConnection(incoming: false);
            fsm.ConnectionEstablished(c);
            fsm.Receive(c, FsmFixtures.PeerOpen(asn: 65099));
            Assert.Equal(SessionState.Idle, fsm.State);
            var n = c.Last<NotificationMessage>();
            Assert.Equal((byte)BgpErrorCode.OpenMessageError, n.Code);
            Assert.Equal((byte)OpenMessageErrorSubcode.BadPeerAs, n.Subcode);
            Assert.Equal(SessionReasonKind.BadPeerAs, fsm.LastError!.Kind);
            Assert.Contains("65099", fsm.LastError.Description);
            var expected = TimeSpan.FromSeconds(5 * Math.Pow(2, attempt - 1));
            Assert.Equal(expected, fsm.IdleHoldInterval);
            _time.Advance(expected - TimeSpan.FromMilliseconds(1));
            Assert.Equal(SessionState.Idle, fsm.State);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(SessionState.Connect, fsm.State);
        }
    }

    [Fact]
    public void DelayOpenWaitsBeforeSendingOpen()
    {
        using var fsm = Create(s => s with { DelayOpenTime = TimeSpan.FromSeconds(3), ConnectRetryTime = TimeSpan.FromSeconds(30) });
        fsm.Start();
        var c = new FakeConnection(incoming: false);
        fsm.ConnectionEstablished(c);
        Assert.Equal(SessionState.Connect, fsm.State);
        Assert.Empty(c.Sent);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(SessionState.OpenSent, fsm.State);
        Assert.IsType<OpenMessage>(Assert.Single(c.Sent));
    }

    [Fact]
    public void OpenDuringDelayOpenIsAnsweredWithOpenAndKeepalive()
    {
        using var fsm = Create(s => s with { DelayOpenTime = TimeSpan.FromSeconds(3) });
        fsm.Start();
        var c = new FakeConnection(incoming: true);
        fsm.ConnectionEstablished(c);
        fsm.Receive(c, FsmFixtures.PeerOpen());
        Assert.Equal(SessionState.OpenConfirm, fsm.State);
        Assert.Equal(FsmEvent.BgpOpenWithDelayOpenTimerRunning, fsm.History[^1].Event);
        Assert.IsType<OpenMessage>(c.Sent[0]);
        Assert.IsType<KeepaliveMessage>(c.Sent[1]);
    }

    [Theory]
    [InlineData("192.0.2.2", false)] // peer id higher: keep the connection the peer opened (incoming)
    [InlineData("192.0.2.0", true)] // our id higher: keep our outgoing connection
    public void CollisionKeepsTheConnectionOfTheHigherIdentifier(string peerId, bool keepOutgoing)
    {
        using var fsm = Create();
        fsm.Start();
        var outgoing = new FakeConnection(incoming: false);
        fsm.ConnectionEstablished(outgoing);
        var incoming = new FakeConnection(incoming: true);
        fsm.ConnectionEstablished(incoming);
        Assert.IsType<OpenMessage>(incoming.Sent[0]);

        fsm.Receive(incoming, FsmFixtures.PeerOpen(id: peerId));
        if (keepOutgoing)
        {
            Assert.True(incoming.Closed);
            Assert.Equal((byte)CeaseSubcode.ConnectionCollisionResolution, incoming.Last<NotificationMessage>().Subcode);
            Assert.Equal(SessionState.OpenSent, fsm.State);
            fsm.Receive(outgoing, FsmFixtures.PeerOpen(id: peerId));
            fsm.Receive(outgoing, KeepaliveMessage.Instance);
            Assert.Same(outgoing, fsm.Connection);
        }
        else
        {
            Assert.True(outgoing.Closed);
            Assert.Equal((byte)CeaseSubcode.ConnectionCollisionResolution, outgoing.Last<NotificationMessage>().Subcode);
            Assert.Equal(SessionState.OpenConfirm, fsm.State);
            fsm.Receive(incoming, KeepaliveMessage.Instance);
            Assert.Same(incoming, fsm.Connection);
        }

        Assert.Equal(SessionState.Established, fsm.State);
    }

    [Fact]
    public void CollisionResolvedWhenOpenArrivesOnThePrimaryConnection()
    {
        using var fsm = Create();
        fsm.Start();
        var outgoing = new FakeConnection(incoming: false);
        fsm.ConnectionEstablished(outgoing);
        var incoming = new FakeConnection(incoming: true);
        fsm.ConnectionEstablished(incoming);
        // Peer identifier higher: the incoming connection must win even though OPEN came on the outgoing one.
        fsm.Receive(outgoing, FsmFixtures.PeerOpen(id: "192.0.2.9"));
        Assert.True(outgoing.Closed);
        Assert.Same(incoming, fsm.Connection);
        Assert.Equal(SessionReasonKind.CollisionResolved, fsm.LastReason!.Kind);
        fsm.Receive(incoming, FsmFixtures.PeerOpen(id: "192.0.2.9"));
        fsm.Receive(incoming, KeepaliveMessage.Instance);
        Assert.Equal(SessionState.Established, fsm.State);
    }

    [Fact]
    public void IncomingConnectionWhileEstablishedIsRejectedWithoutGracefulRestart()
    {
        var (fsm, c) = Establish();
        using var _ = fsm;
        var second = new FakeConnection(incoming: true);
        fsm.ConnectionEstablished(second);
        Assert.True(second.Closed);
        Assert.Equal(SessionState.Established, fsm.State);
        Assert.False(c.Closed);
    }

    [Fact]
    public void RestartedGracefulRestartPeerReplacesTheSessionAndRoutesAreKept()
    {
        var (fsm, c) = Establish(s => s with { GracefulRestart = new GracefulRestartCapability(false, false, 120, [new(AfiSafi.Ipv4Unicast, false)]) },
            FsmFixtures.PeerOpen(gracefulRestart: true));
        using var _ = fsm;
        var second = new FakeConnection(incoming: true);
        fsm.ConnectionEstablished(second);
        Assert.True(c.Closed);
        Assert.Equal(SessionState.OpenSent, fsm.State);
        Assert.True(_host.Downs.Single().GracefulRestart);
        Assert.Equal(SessionReasonKind.PeerRestarted, _host.Downs[0].Reason.Kind);
    }

    [Fact]
    public void TcpFailureWithGracefulRestartPeerKeepsRoutes()
    {
        var (fsm, c) = Establish(s => s with { GracefulRestart = new GracefulRestartCapability(false, false, 120, [new(AfiSafi.Ipv4Unicast, false)]) },
            FsmFixtures.PeerOpen(gracefulRestart: true));
        using var _ = fsm;
        fsm.ConnectionFailed(c, SessionReason.Of(SessionReasonKind.ConnectionClosed, "connection closed by peer"));
        Assert.Equal(SessionState.Idle, fsm.State);
        Assert.True(_host.Downs.Single().GracefulRestart);
    }

    [Fact]
    public void NotificationReceivedIsRecordedWithCodeSubcodeAndShutdownText()
    {
        var (fsm, c) = Establish();
        using var _ = fsm;
        fsm.Receive(c, NotificationMessage.Cease(CeaseSubcode.AdministrativeShutdown, "maintenance window"));
        Assert.Equal(SessionState.Idle, fsm.State);
        var reason = fsm.LastError!;
        Assert.Equal(SessionReasonKind.NotificationReceived, reason.Kind);
        Assert.Equal((byte)6, reason.NotificationCode);
        Assert.Equal((byte)2, reason.NotificationSubcode);
        Assert.Equal("maintenance window", reason.ShutdownCommunication);
        Assert.Contains("Administrative Shutdown", reason.Description);
    }

    [Fact]
    public void UpdateInOpenConfirmIsAnFsmError()
    {
        using var fsm = Create();
        fsm.Start();
        var c = new FakeConnection(incoming: false);
        fsm.ConnectionEstablished(c);
        fsm.Receive(c, FsmFixtures.PeerOpen());
        var update = UpdateMessage.Decode(new byte[] { 0, 0, 0, 0 }, BgpSessionOptions.Default);
        fsm.Receive(c, update);
        var n = c.Last<NotificationMessage>();
        Assert.Equal((byte)BgpErrorCode.FiniteStateMachineError, n.Code);
        Assert.Equal((byte)FsmErrorSubcode.UnexpectedMessageInOpenConfirm, n.Subcode);
        Assert.Empty(_host.Updates);
    }

    [Fact]
    public void UpdatesInEstablishedReachTheHost()
    {
        var (fsm, c) = Establish();
        using var _ = fsm;
        fsm.Receive(c, UpdateMessage.Decode(new byte[] { 0, 0, 0, 0 }, BgpSessionOptions.Default));
        Assert.Single(_host.Updates);
    }

    [Fact]
    public void StopSendsAdministrativeShutdownAndDoesNotRestart()
    {
        var (fsm, c) = Establish();
        using var _ = fsm;
        fsm.Stop("bye");
        var n = c.Last<NotificationMessage>();
        Assert.Equal((byte)CeaseSubcode.AdministrativeShutdown, n.Subcode);
        Assert.Equal("bye", n.ShutdownCommunication);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(SessionState.Idle, fsm.State);
    }

    [Fact]
    public void GracefulRestartStopSendsNoNotification()
    {
        var (fsm, c) = Establish();
        using var _ = fsm;
        fsm.StopForGracefulRestart();
        Assert.Empty(c.Sent.OfType<NotificationMessage>());
        Assert.True(c.Closed);
    }

    [Fact]
    public void IdleRefusesConnections()
    {
        using var fsm = Create();
        var c = new FakeConnection(incoming: true);
        fsm.ConnectionEstablished(c);
        Assert.True(c.Closed);
        Assert.Equal(SessionState.Idle, fsm.State);
    }

    [Fact]
    public void ResetWithIdleTimeWaitsThatLong()
    {
        var (fsm, c) = Establish();
        using var _ = fsm;
        fsm.Reset(NotificationMessage.Cease(CeaseSubcode.MaximumNumberOfPrefixesReached),
            SessionReason.Of(SessionReasonKind.MaximumPrefixesReached, "too many"), TimeSpan.FromSeconds(30));
        Assert.Equal((byte)CeaseSubcode.MaximumNumberOfPrefixesReached, c.Last<NotificationMessage>().Subcode);
        Assert.Equal(TimeSpan.FromSeconds(30), fsm.IdleHoldInterval);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(SessionState.Connect, fsm.State);
    }

    [Fact]
    public void MissingRequiredCapabilityIsUnsupportedCapability()
    {
        using var fsm = Create(s => s with { RequiredCapabilities = [CapabilityCode.GracefulRestart] });
        fsm.Start();
        var c = new FakeConnection(incoming: false);
        fsm.ConnectionEstablished(c);
        fsm.Receive(c, FsmFixtures.PeerOpen());
        var n = c.Last<NotificationMessage>();
        Assert.Equal((byte)OpenMessageErrorSubcode.UnsupportedCapability, n.Subcode);
        Assert.Equal((byte)CapabilityCode.GracefulRestart, n.Data.Span[0]);
    }

    [Fact]
    public void NoCommonFamilyIsUnsupportedCapability()
    {
        using var fsm = Create(s => s with { Families = [AfiSafi.Ipv6Unicast] });
        fsm.Start();
        var c = new FakeConnection(incoming: false);
        fsm.ConnectionEstablished(c);
        fsm.Receive(c, FsmFixtures.PeerOpen(families: AfiSafi.Ipv4Unicast));
        Assert.Equal((byte)OpenMessageErrorSubcode.UnsupportedCapability, c.Last<NotificationMessage>().Subcode);
    }
}
