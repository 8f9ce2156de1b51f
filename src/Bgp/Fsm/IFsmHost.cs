using Tabby.Bgp.Transport;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Fsm;

/// <summary>
/// What the FSM asks of its surroundings. Called with the FSM's lock held, so implementations must
/// not block or call back into the FSM synchronously (queue the work instead).
/// </summary>
public interface IFsmHost
{
    /// <summary>Starts an outgoing connection attempt; its outcome comes back as <see cref="BgpFsm.ConnectionEstablished"/> or <see cref="BgpFsm.ConnectionFailed"/>.</summary>
    void Connect();

    /// <summary>Abandons an outgoing attempt that has not completed.</summary>
    void CancelConnect();

    void OnTransition(StateTransition transition);

    void OnEstablished(NegotiatedSession session, IBgpConnection connection);

    /// <summary>
    /// The session left Established. <paramref name="gracefulRestartHelper"/> is true when the peer's
    /// routes must be kept as stale (RFC 4724 section 4.2): the peer announced graceful restart and
    /// the session ended without a NOTIFICATION (or with one under the N bit rules of RFC 8538).
    /// </summary>
    void OnSessionDown(SessionReason reason, bool gracefulRestartHelper);

    void OnUpdate(UpdateMessage update);

    void OnRouteRefresh(RouteRefreshMessage message);
}
