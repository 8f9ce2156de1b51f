using System.Net;
using Tabby.Bgp.Fsm;
using Tabby.Bgp.Transport;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Capabilities;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Tests.Fsm;

/// <summary>Records what the FSM asks of its host.</summary>
internal sealed class RecordingHost : IFsmHost
{
    public int ConnectCalls { get; private set; }

    public int CancelCalls { get; private set; }

    public List<StateTransition> Transitions { get; } = [];

    public NegotiatedSession? Established { get; private set; }

    public List<(SessionReason Reason, bool GracefulRestart)> Downs { get; } = [];

    public List<UpdateMessage> Updates { get; } = [];

    public List<RouteRefreshMessage> Refreshes { get; } = [];

    public void Connect() => ConnectCalls++;

    public void CancelConnect() => CancelCalls++;

    public void OnTransition(StateTransition transition) => Transitions.Add(transition);

    public void OnEstablished(NegotiatedSession session, IBgpConnection connection) => Established = session;

    public void OnSessionDown(SessionReason reason, bool gracefulRestartHelper) => Downs.Add((reason, gracefulRestartHelper));

    public void OnUpdate(UpdateMessage update) => Updates.Add(update);

    public void OnRouteRefresh(RouteRefreshMessage message) => Refreshes.Add(message);
}

/// <summary>A connection that records sent messages.</summary>
internal sealed class FakeConnection(bool incoming) : IBgpConnection
{
    public bool IsIncoming { get; } = incoming;

    public IPEndPoint? LocalEndPoint { get; } = new(IPAddress.Parse("192.0.2.1"), incoming ? 179 : 40000);

    public IPEndPoint? RemoteEndPoint { get; } = new(IPAddress.Parse("192.0.2.2"), incoming ? 40001 : 179);

    public List<BgpMessage> Sent { get; } = [];

    public bool Closed { get; private set; }

    public BgpSessionOptions? SendOptions { get; private set; }

    public void Send(BgpMessage message) => Sent.Add(message);

    public void SetSessionOptions(BgpSessionOptions receive, BgpSessionOptions send) => SendOptions = send;

    public void Close() => Closed = true;

    public T Last<T>() where T : BgpMessage => Sent.OfType<T>().Last();
}

internal static class FsmFixtures
{
    public static SessionSettings Settings(Func<SessionSettings, SessionSettings>? edit = null)
    {
        var s = new SessionSettings
        {
            LocalAs = 65001,
            RouterId = IPAddress.Parse("192.0.2.1"),
            RemoteAs = 65002,
            HoldTime = TimeSpan.FromSeconds(90),
            ConnectRetryTime = TimeSpan.FromSeconds(2),
            IdleHoldTime = TimeSpan.FromSeconds(5),
            MaxIdleHoldTime = TimeSpan.FromSeconds(60),
        };
        return edit is null ? s : edit(s);
    }

    public static OpenMessage PeerOpen(uint asn = 65002, ushort hold = 90, string id = "192.0.2.2", bool gracefulRestart = false, params AfiSafi[] families)
    {
        var caps = new List<Capability>();
        foreach (var f in families.Length == 0 ? [AfiSafi.Ipv4Unicast, AfiSafi.Ipv6Unicast] : families) caps.Add(new MultiprotocolCapability(f));
        caps.Add(EmptyCapability.RouteRefresh);
        caps.Add(new FourOctetAsCapability(asn));
        if (gracefulRestart) caps.Add(new GracefulRestartCapability(false, false, 120, [new GracefulRestartFamily(AfiSafi.Ipv4Unicast, true)]));
        return OpenMessage.Create(asn, hold, IPAddress.Parse(id), caps);
    }
}
