using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Felix.Netlink.Addresses;
using Tabby.Felix.Netlink.Links;
using Tabby.Felix.Netlink.Neighbors;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.Netlink;

/// <summary>What changed in the kernel. <see cref="Overflow"/> means events were lost: resync everything.</summary>
public enum NetlinkEventKind
{
    LinkChanged,
    LinkRemoved,
    AddressAdded,
    AddressRemoved,
    RouteAdded,
    RouteRemoved,
    NeighborChanged,
    NeighborRemoved,
    FdbChanged,
    FdbRemoved,
    Overflow,
}

/// <summary>One kernel notification with the decoded object (exactly one is set, none for Overflow).</summary>
public sealed record NetlinkEvent(NetlinkEventKind Kind)
{
    public Link? Link { get; init; }

    public InterfaceAddress? Address { get; init; }

    public Route? Route { get; init; }

    public Neighbor? Neighbor { get; init; }

    public FdbEntry? Fdb { get; init; }
}

/// <summary>
/// Subscribes to rtnetlink multicast groups (<c>ip monitor link address route</c>) and publishes
/// decoded events on <see cref="Events"/>. A reader thread blocks in recv with a short timeout so
/// disposing stops it promptly. When the kernel drops notifications (ENOBUFS) an Overflow event
/// tells consumers to re-read the kernel state.
/// </summary>
public sealed class NetlinkMonitor : IDisposable
{
    private readonly INetlinkTransport _transport;
    private readonly Channel<NetlinkEvent> _channel = Channel.CreateUnbounded<NetlinkEvent>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });
    private readonly Thread _thread;
    private readonly ILogger _logger;
    private volatile bool _stopping;

    private NetlinkMonitor(INetlinkTransport transport, ILogger? logger)
    {
        _transport = transport;
        _logger = logger ?? NullLogger.Instance;
        _thread = new Thread(Run) { IsBackground = true, Name = "netlink monitor" };
        _thread.Start();
    }

    public static IReadOnlyList<RtnlGroup> DefaultGroups { get; } =
        [RtnlGroup.Link, RtnlGroup.Ipv4Address, RtnlGroup.Ipv6Address, RtnlGroup.Ipv4Route, RtnlGroup.Ipv6Route, RtnlGroup.Neighbor];

    public ChannelReader<NetlinkEvent> Events => _channel.Reader;

    /// <summary>Monitors the calling thread's namespace.</summary>
    public static NetlinkMonitor Start(IReadOnlyList<RtnlGroup>? groups = null, ILogger? logger = null) =>
        new(LinuxNetlinkTransport.Open(Options(groups)), logger);

    /// <summary>Monitors the namespace at <paramref name="namespacePath"/> (<c>ip -n NAME monitor</c>).</summary>
    public static NetlinkMonitor StartInNamespace(string namespacePath, IReadOnlyList<RtnlGroup>? groups = null, ILogger? logger = null) =>
        new(LinuxNetlinkTransport.OpenInNamespace(namespacePath, Options(groups)), logger);

    private static NetlinkSocketOptions Options(IReadOnlyList<RtnlGroup>? groups) => new()
    {
        Groups = groups ?? DefaultGroups,
        ReceiveTimeout = TimeSpan.FromMilliseconds(200),
    };

    private void Run()
    {
        var buffer = GC.AllocateUninitializedArray<byte>(1 << 20, pinned: true);
        while (!_stopping)
        {
            int length;
            try
            {
                length = _transport.Receive(buffer);
            }
            catch (NetlinkException e) when (e.Errno == Errno.EAGAIN)
            {
                continue;
            }
            catch (NetlinkException e) when (e.Errno == Errno.ENOBUFS)
            {
                _logger.LogWarning("netlink monitor lost notifications (ENOBUFS); consumers resync");
                _channel.Writer.TryWrite(new NetlinkEvent(NetlinkEventKind.Overflow));
                continue;
            }
            catch (Exception e) when (_stopping || e is ObjectDisposedException)
            {
                break;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "netlink monitor failed; consumers resync");
                _channel.Writer.TryWrite(new NetlinkEvent(NetlinkEventKind.Overflow));
                Thread.Sleep(100);
                continue;
            }

            try
            {
                foreach (var message in new MessageReader(buffer.AsSpan(0, length)))
                {
                    if (Decode(message) is { } e)
                    {
                        _channel.Writer.TryWrite(e);
                    }
                }
            }
            catch (NetlinkProtocolException e)
            {
                _logger.LogWarning(e, "undecodable netlink notification skipped; consumers resync");
                _channel.Writer.TryWrite(new NetlinkEvent(NetlinkEventKind.Overflow));
            }
        }

        _channel.Writer.TryComplete();
    }

    internal static NetlinkEvent? Decode(in NetlinkMessage message) => message.Type switch
    {
        MessageType.NewLink => LinkCodec.Parse(message) is { } l ? new NetlinkEvent(NetlinkEventKind.LinkChanged) { Link = l } : null,
        MessageType.DelLink => LinkCodec.Parse(message) is { } l ? new NetlinkEvent(NetlinkEventKind.LinkRemoved) { Link = l } : null,
        MessageType.NewAddress => AddressCodec.Parse(message) is { } a ? new NetlinkEvent(NetlinkEventKind.AddressAdded) { Address = a } : null,
        MessageType.DelAddress => AddressCodec.Parse(message) is { } a ? new NetlinkEvent(NetlinkEventKind.AddressRemoved) { Address = a } : null,
        MessageType.NewRoute => RouteCodec.Parse(message) is { } r ? new NetlinkEvent(NetlinkEventKind.RouteAdded) { Route = r } : null,
        MessageType.DelRoute => RouteCodec.Parse(message) is { } r ? new NetlinkEvent(NetlinkEventKind.RouteRemoved) { Route = r } : null,
        MessageType.NewNeighbor => NeighborCodec.ParseNeighbor(message) is { } n ? new NetlinkEvent(NetlinkEventKind.NeighborChanged) { Neighbor = n }
            : NeighborCodec.ParseFdb(message) is { } f ? new NetlinkEvent(NetlinkEventKind.FdbChanged) { Fdb = f } : null,
        MessageType.DelNeighbor => NeighborCodec.ParseNeighbor(message) is { } n ? new NetlinkEvent(NetlinkEventKind.NeighborRemoved) { Neighbor = n }
            : NeighborCodec.ParseFdb(message) is { } f ? new NetlinkEvent(NetlinkEventKind.FdbRemoved) { Fdb = f } : null,
        _ => null,
    };

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(2));
        _transport.Dispose();
    }
}
