using Tabby.Felix.Netlink.Addresses;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.Netlink.Wire;

namespace Tabby.Felix.Netlink;

public sealed partial class NetlinkClient
{
    /// <summary>
    /// <c>ip [-4|-6] route show table TABLE [proto PROTOCOL]</c> (<paramref name="table"/> null = all
    /// tables, <paramref name="protocol"/> 0 = any). Cached clones are left out.
    /// </summary>
    public List<Route> ListRoutes(byte family, uint? table = RouteTables.Main, byte protocol = RouteProtocol.Unspecified)
    {
        if (family is not (Family.Inet or Family.Inet6))
        {
            throw new ArgumentException("route dumps are per family: 2 (IPv4) or 10 (IPv6)", nameof(family));
        }

        var routes = Socket.Dump(MessageType.GetRoute, "RTM_GETROUTE dump",
            w => RouteCodec.EncodeDumpRequest(w, family, table, protocol), RouteCodec.Parse);
        routes.RemoveAll(r => (table is { } t && r.Table != t) || (protocol != 0 && r.Protocol != protocol));
        return routes;
    }

    /// <summary><c>ip route add ROUTE</c>; EEXIST when a route with the same key exists.</summary>
    public void AddRoute(Route route) =>
        Socket.Execute(MessageType.NewRoute, MessageFlags.Create | MessageFlags.Exclusive, $"RTM_NEWROUTE {route}", w => RouteCodec.EncodeNew(w, route));

    /// <summary><c>ip route replace ROUTE</c>.</summary>
    public void ReplaceRoute(Route route) =>
        Socket.Execute(MessageType.NewRoute, MessageFlags.Create | MessageFlags.Replace, $"RTM_NEWROUTE {route}", w => RouteCodec.EncodeNew(w, route));

    /// <summary><c>ip route del DESTINATION proto P table T [metric M]</c>; ESRCH when absent.</summary>
    public void DeleteRoute(Route route) =>
        Socket.Execute(MessageType.DelRoute, 0, $"RTM_DELROUTE {route.Destination} proto {route.Protocol}", w => RouteCodec.EncodeDelete(w, route));

    /// <summary>
    /// <c>ip -batch</c> of <c>route add|replace</c> lines, but in large multi-message sendmsg calls:
    /// returns the index (into <paramref name="routes"/>) and error of every route the kernel refused.
    /// </summary>
    public IReadOnlyList<BatchItemError> AddRoutes(IReadOnlyList<Route> routes, bool replace = true, int bufferBytes = NetlinkBatch.DefaultBufferBytes)
    {
        using var batch = new NetlinkBatch(Socket, bufferBytes);
        var flags = (ushort)(MessageFlags.Create | (replace ? MessageFlags.Replace : MessageFlags.Exclusive));
        for (var i = 0; i < routes.Count; i++)
        {
            batch.Begin(MessageType.NewRoute, flags, i);
            RouteCodec.EncodeNew(batch.Writer, routes[i]);
            batch.End();
        }

        batch.Flush();
        return batch.Errors;
    }

    /// <summary><c>ip -batch</c> of <c>route del</c> lines in large sendmsg calls; returns refused indexes.</summary>
    public IReadOnlyList<BatchItemError> DeleteRoutes(IReadOnlyList<Route> routes, int bufferBytes = NetlinkBatch.DefaultBufferBytes)
    {
        using var batch = new NetlinkBatch(Socket, bufferBytes);
        for (var i = 0; i < routes.Count; i++)
        {
            batch.Begin(MessageType.DelRoute, 0, i);
            RouteCodec.EncodeDelete(batch.Writer, routes[i]);
            batch.End();
        }

        batch.Flush();
        return batch.Errors;
    }
}
