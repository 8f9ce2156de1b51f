using System.Net;
using System.Net.Sockets;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Evaluation;

/// <summary>The first packet of a connection, as policy sees it.</summary>
public sealed record Flow(IPAddress Source, IPAddress Destination, Protocol Protocol, int SourcePort = 0,
    int DestinationPort = 0, int IcmpType = 8, int IcmpCode = 0)
{
    public int IpVersion => Source.AddressFamily == AddressFamily.InterNetworkV6 ? 6 : 4;

    public override string ToString() =>
        Protocol.HasPorts ? $"{Source}:{SourcePort} -> {Destination}:{DestinationPort} {Protocol}" : $"{Source} -> {Destination} {Protocol}";
}
