using System.Net.Sockets;

namespace Tabby.Bgp.Transport;

/// <summary>
/// Creates the TCP sockets the speaker listens and connects with. A socket belongs to the network
/// namespace of the thread that created it, so a host (or a test) that runs the speaker for another
/// namespace passes a factory that creates sockets there; everything else (options, bind, connect,
/// I/O) may happen on any thread afterwards.
/// </summary>
public delegate Socket SocketFactory(AddressFamily family);

public static class SocketFactories
{
    /// <summary>Sockets in the namespace of the calling thread.</summary>
    public static readonly SocketFactory Default = family => new Socket(family, SocketType.Stream, ProtocolType.Tcp);
}
