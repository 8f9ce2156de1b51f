using System.Diagnostics.Metrics;

namespace Tabby.Felix.RouteTable;

/// <summary>Route programming: changes sent to the kernel by kind, failures, how long a pass that changed something took, and how many routes are wanted.</summary>
internal static class RouteTableMetrics
{
    public const string MeterName = "Tabby.Felix.Routes";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Changes = Meter.CreateCounter<long>("tabby.routes.changes",
        description: "Routes added, replaced and deleted in the kernel.");

    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("tabby.routes.failures",
        description: "Route changes the kernel refused (retried with back-off).");

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("tabby.routes.program.duration", "s",
        "Time of a reconcile pass that changed the kernel (diff, netlink batch and acknowledgements).");

    private static readonly Counter<long> Resyncs = Meter.CreateCounter<long>("tabby.routes.resyncs",
        description: "Full re-reads of the kernel's route table.");

    public static void Record(ReconcileResult result, TimeSpan elapsed)
    {
        if (result.Added > 0) Changes.Add(result.Added, new KeyValuePair<string, object?>("op", "add"));
        if (result.Replaced > 0) Changes.Add(result.Replaced, new KeyValuePair<string, object?>("op", "replace"));
        if (result.Deleted > 0) Changes.Add(result.Deleted, new KeyValuePair<string, object?>("op", "delete"));
        if (result.Failed > 0) Failures.Add(result.Failed);
        if (result.Resynced) Resyncs.Add(1);
        if (result.Changes + result.Failed > 0) Duration.Record(elapsed.TotalSeconds);
    }
}
