using System.Diagnostics.Metrics;
using Tabby.Node.Metrics;
using Xunit;

namespace Tabby.Node.Tests.Metrics;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void RendersCountersGaugesAndHistogramsInTextFormat()
    {
        var meterName = "Tabby.Test." + Guid.NewGuid().ToString("N");
        using var exporter = new PrometheusExporter(m => m.Name == meterName);
        using var meter = new Meter(meterName);
        var updates = meter.CreateCounter<long>("tabby.bgp.updates", description: "UPDATE messages received.");
        var latency = meter.CreateHistogram<double>("tabby.routes.program.latency", unit: "s");
        var peers = 3;
        meter.CreateObservableGauge("tabby.bgp.peers", () => peers);

        updates.Add(2, new KeyValuePair<string, object?>("peer", "192.0.2.2"));
        updates.Add(3, new KeyValuePair<string, object?>("peer", "192.0.2.2"));
        updates.Add(1, new KeyValuePair<string, object?>("peer", "192.0.2.3"));
        latency.Record(0.003);
        latency.Record(0.2);

        var text = exporter.Render();

        Assert.Contains("# HELP tabby_bgp_updates_total UPDATE messages received.\n", text);
        Assert.Contains("# TYPE tabby_bgp_updates_total counter\n", text);
        Assert.Contains("tabby_bgp_updates_total{peer=\"192.0.2.2\"} 5\n", text);
        Assert.Contains("tabby_bgp_updates_total{peer=\"192.0.2.3\"} 1\n", text);
        Assert.Contains("# TYPE tabby_bgp_peers gauge\ntabby_bgp_peers 3\n", text);
        Assert.Contains("# TYPE tabby_routes_program_latency_seconds histogram\n", text);
        Assert.Contains("tabby_routes_program_latency_seconds_bucket{le=\"0.0025\"} 0\n", text);
        Assert.Contains("tabby_routes_program_latency_seconds_bucket{le=\"0.005\"} 1\n", text);
        Assert.Contains("tabby_routes_program_latency_seconds_bucket{le=\"+Inf\"} 2\n", text);
        Assert.Contains("tabby_routes_program_latency_seconds_count 2\n", text);

        peers = 4;
        Assert.Contains("tabby_bgp_peers 4\n", exporter.Render());
    }

    [Fact]
    public void LabelValuesAreEscaped()
    {
        var meterName = "Tabby.Test." + Guid.NewGuid().ToString("N");
        using var exporter = new PrometheusExporter(m => m.Name == meterName);
        using var meter = new Meter(meterName);
        meter.CreateCounter<int>("c").Add(1, new KeyValuePair<string, object?>("reason", "said \"no\"\nthen \\"));

        Assert.Contains("c_total{reason=\"said \\\"no\\\"\\nthen \\\\\"} 1\n", exporter.Render());
    }
}
