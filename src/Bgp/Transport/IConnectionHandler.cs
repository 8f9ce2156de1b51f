using Tabby.Bgp.Fsm;
using Tabby.Bgp.Wire.Errors;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Transport;

/// <summary>Receives what a <see cref="BgpConnection"/> reads; called on the connection's read loop, one message at a time.</summary>
public interface IConnectionHandler
{
    void OnMessage(BgpConnection connection, BgpMessage message);

    /// <summary>The input broke the protocol; the connection stops reading.</summary>
    void OnProtocolError(BgpConnection connection, BgpError error);

    /// <summary>The connection ended without us closing it (peer closed, reset, send failure).</summary>
    void OnClosed(BgpConnection connection, SessionReason reason);
}
