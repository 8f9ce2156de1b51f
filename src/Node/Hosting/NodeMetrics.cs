using System.Diagnostics.Metrics;
using System.Reflection;

namespace Tabby.Node.Hosting;

/// <summary>The agent's own meter: build info and uptime. Subsystems publish their own meters named Tabby.*.</summary>
public sealed class NodeMetrics : IDisposable
{
    public const string MeterName = "Tabby.Node";

    private readonly Meter _meter = new(MeterName);

    public NodeMetrics(string nodeName, TimeProvider time)
    {
        var started = time.GetUtcNow();
        var version = typeof(NodeMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        _meter.CreateObservableGauge("tabby.build.info", () => new Measurement<int>(1,
            new KeyValuePair<string, object?>("version", version),
            new KeyValuePair<string, object?>("runtime", Environment.Version.ToString()),
            new KeyValuePair<string, object?>("node", nodeName)), description: "Build information of tabby-node.");
        _meter.CreateObservableGauge("tabby.uptime", () => (time.GetUtcNow() - started).TotalSeconds, unit: "s",
            description: "Seconds since tabby-node started.");
    }

    public void Dispose() => _meter.Dispose();
}
