using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tabby.Node.Health;
using Tabby.Node.Metrics;

namespace Tabby.Node.Hosting;

/// <summary>
/// Felix's probe endpoints (<c>/liveness</c>, <c>/readiness</c>: 204 when healthy, 503 with the
/// reasons otherwise) and the Prometheus <c>/metrics</c> endpoint.
/// </summary>
public static class HttpEndpoints
{
    public static void MapHealth(WebApplication app, HealthAggregator health)
    {
        app.MapGet("/liveness", (HttpContext context) => Answer(context, health.Summarize(), s => s.Live, c => c.Live));
        app.MapGet("/readiness", (HttpContext context) => Answer(context, health.Summarize(), s => s.Ready, c => c.Ready));
        app.MapGet("/health", (HttpContext context) =>
        {
            var summary = health.Summarize();
            context.Response.StatusCode = summary.Live && summary.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return context.Response.WriteAsync(JsonSerializer.Serialize(summary, NodeJsonContext.Default.HealthSummary));
        });
    }

    public static void MapMetrics(WebApplication app, PrometheusExporter exporter) =>
        app.MapGet("/metrics", (HttpContext context) =>
        {
            context.Response.ContentType = PrometheusExporter.ContentType;
            return context.Response.WriteAsync(exporter.Render());
        });

    private static Task Answer(HttpContext context, HealthSummary summary, Func<HealthSummary, bool> ok, Func<ComponentHealth, bool> componentOk)
    {
        if (ok(summary))
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        var reasons = summary.Components.Where(c => !componentOk(c)).Select(c => $"{c.Name}: {c.Detail ?? "not healthy"}");
        return context.Response.WriteAsync(string.Join("\n", reasons) + "\n");
    }
}
