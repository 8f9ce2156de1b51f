using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.RouteTable;

/// <summary>The real kernel: dumps filtered by table and protocol, changes sent as one netlink batch.</summary>
public sealed class NetlinkRouteKernel(NetlinkClient client) : IRouteKernel
{
    public IReadOnlyList<Route> ListRoutes(uint table, byte protocol) =>
        [.. client.ListRoutes(Family.Inet, table, protocol), .. client.ListRoutes(Family.Inet6, table, protocol)];

    public IReadOnlyDictionary<string, int> ListInterfaces() =>
        client.ListLinks().ToDictionary(l => l.Name, l => l.Index, StringComparer.Ordinal);

    public IReadOnlyList<RouteChangeError> Apply(IReadOnlyList<RouteChange> changes)
    {
        using var batch = new NetlinkBatch(client.Socket);
        var rejected = new List<RouteChangeError>();
        for (var i = 0; i < changes.Count; i++)
        {
            var (kind, route) = changes[i];
            try
            {
                Encode(batch, kind, route, i);
            }
            catch (ArgumentException e)
            {
                batch.Abandon();
                rejected.Add(new RouteChangeError(i, new NetlinkException((int)Errno.EINVAL, $"encode {route}", e.Message)));
            }
        }

        batch.Flush();
        return [.. rejected, .. batch.Errors.Select(e => new RouteChangeError(e.Tag, e.Error))];
    }

    private static void Encode(NetlinkBatch batch, RouteChangeKind kind, Route route, int i)
    {
            switch (kind)
            {
                case RouteChangeKind.Add:
                    batch.Begin(MessageType.NewRoute, MessageFlags.Create | MessageFlags.Exclusive, i);
                    RouteCodec.EncodeNew(batch.Writer, route);
                    break;
                case RouteChangeKind.Replace:
                    batch.Begin(MessageType.NewRoute, MessageFlags.Create | MessageFlags.Replace, i);
                    RouteCodec.EncodeNew(batch.Writer, route);
                    break;
                default:
                    batch.Begin(MessageType.DelRoute, 0, i);
                    RouteCodec.EncodeDelete(batch.Writer, route);
                    break;
            }

            batch.End();
    }
}
