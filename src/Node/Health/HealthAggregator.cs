using System.Collections.Concurrent;

namespace Tabby.Node.Health;

/// <summary>What one subsystem says about itself.</summary>
public sealed record HealthReport(bool Live, bool Ready, string? Detail = null);

/// <summary>
/// Collects liveness and readiness from every subsystem (Felix's health aggregator model): each
/// registers with a timeout and reports periodically; a subsystem that stops reporting is not live.
/// The node is live when all are live, and ready when all are ready.
/// </summary>
public sealed class HealthAggregator(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public void Register(string name, TimeSpan timeout) =>
        _entries[name] = new Entry(timeout, new HealthReport(Live: true, Ready: false, "starting"), time.GetUtcNow());

    public void Report(string name, HealthReport report)
    {
        if (!_entries.TryGetValue(name, out var entry))
        {
            throw new InvalidOperationException($"health reporter {name} is not registered");
        }

        _entries[name] = entry with { Last = report, At = time.GetUtcNow() };
    }

    public HealthSummary Summarize()
    {
        var now = time.GetUtcNow();
        var components = _entries
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e =>
            {
                var stale = now - e.Value.At > e.Value.Timeout;
                var report = stale ? new HealthReport(false, false, $"no report for {(now - e.Value.At).TotalSeconds:0} s") : e.Value.Last;
                return new ComponentHealth(e.Key, report.Live, report.Ready, report.Detail);
            })
            .ToList();
        return new HealthSummary(components.All(c => c.Live), components.All(c => c.Ready), components);
    }

    private sealed record Entry(TimeSpan Timeout, HealthReport Last, DateTimeOffset At);
}

public sealed record ComponentHealth(string Name, bool Live, bool Ready, string? Detail);

public sealed record HealthSummary(bool Live, bool Ready, IReadOnlyList<ComponentHealth> Components);
