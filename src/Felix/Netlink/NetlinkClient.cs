namespace Tabby.Felix.Netlink;

/// <summary>
/// The typed rtnetlink API: links, addresses, routes, neighbours and FDB entries of one network
/// namespace. Each operation's doc comment names the equivalent <c>ip</c>/<c>bridge</c> command.
/// Not-found lookups return null; every other kernel refusal throws <see cref="NetlinkException"/>
/// carrying the errno name (EEXIST, ENODEV, ESRCH, ENETUNREACH ...).
/// </summary>
public sealed partial class NetlinkClient : IDisposable
{
    private readonly bool _ownsSocket;

    public NetlinkClient(NetlinkSocket socket, bool ownsSocket = true)
    {
        Socket = socket;
        _ownsSocket = ownsSocket;
    }

    /// <summary>The socket requests go through (shared with batches).</summary>
    public NetlinkSocket Socket { get; }

    /// <summary>A client for the calling thread's network namespace.</summary>
    public static NetlinkClient Open(NetlinkSocketOptions? options = null) => new(NetlinkSocket.Open(options));

    /// <summary>A client for the namespace whose file is <paramref name="namespacePath"/> (e.g. /run/netns/NAME); <c>ip -n NAME ...</c>.</summary>
    public static NetlinkClient OpenInNamespace(string namespacePath, NetlinkSocketOptions? options = null) =>
        new(NetlinkSocket.OpenInNamespace(namespacePath, options));

    public void Dispose()
    {
        if (_ownsSocket)
        {
            Socket.Dispose();
        }
    }
}
