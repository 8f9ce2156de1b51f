using System.Net;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Messages;

namespace Tabby.Bgp.Transport;

/// <summary>One TCP connection carrying BGP messages, as the FSM sees it.</summary>
public interface IBgpConnection
{
    /// <summary>True when the peer opened the connection (we accepted it).</summary>
    bool IsIncoming { get; }

    IPEndPoint? LocalEndPoint { get; }

    IPEndPoint? RemoteEndPoint { get; }

    /// <summary>Queues a message; never blocks. Errors surface as a connection failure.</summary>
    void Send(BgpMessage message);

    /// <summary>Switches to the encodings negotiated from the OPEN messages (RFC 6793, RFC 7911, RFC 8654).</summary>
    void SetSessionOptions(BgpSessionOptions receive, BgpSessionOptions send);

    /// <summary>Closes after the queued bytes are sent (a NOTIFICATION queued just before is delivered).</summary>
    void Close();
}
