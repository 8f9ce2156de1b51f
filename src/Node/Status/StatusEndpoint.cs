using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tabby.Node.Agent;
using Tabby.Node.Bgp;
using Tabby.Node.Dataplane;
using Tabby.Common.Status;

namespace Tabby.Node.Status;

/// <summary>
/// <c>GET /status</c> on the local unix socket (readable without root when the socket's mode
/// allows): BGP peers with their state and reason, and the routes learned; <c>GET /routes</c>: the
/// RIB and FIB with where each route came from.
/// </summary>
public static class StatusEndpoint
{
    public static void Map(WebApplication app, NodeContextHolder holder, BgpService bgp, DataplaneService dataplane)
    {
        app.MapGet("/routes", async (HttpContext http) =>
        {
            if (!holder.WhenReady.IsCompletedSuccessfully)
            {
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await http.Response.WriteAsync("tabby-node is starting\n");
                return;
            }

            var context = await holder.WhenReady;
            var document = new RoutesDocument { Node = context.NodeName, Routes = await NodeRoutesBuilder.BuildAsync(bgp, dataplane) };
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(JsonSerializer.Serialize(document, RoutesJsonContext.Default.RoutesDocument));
        });
        app.MapGet("/status", async (HttpContext http) =>
        {
            if (!holder.WhenReady.IsCompletedSuccessfully)
            {
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await http.Response.WriteAsync("tabby-node is starting\n");
                return;
            }

            var context = await holder.WhenReady;
            var peers = await bgp.GetPeersAsync();
            var document = new StatusDocument
            {
                Node = context.NodeName,
                AsNumber = bgp.Speaker?.Options.LocalAs,
                RouterId = bgp.Speaker?.Options.RouterId.ToString(),
                Peers = peers.Select(p => new StatusPeer(p.Address, p.Type, p.State, p.Since, p.Info, p.Detail?.PrefixesAccepted ?? 0,
                    p.Detail?.PrefixesAdvertised ?? 0)).ToList(),
                Routes = dataplane.BgpPaths.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal)
                    .Select(r => new StatusRoute(r.Key.ToString(), r.Value.Select(a => a.ToString()).ToList(), "bgp")).ToList(),
            };
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(JsonSerializer.Serialize(document, StatusJsonContext.Default.StatusDocument));
        });
    }
}
