using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Nftables;
using Tabby.Node.Agent;
using Tabby.Node.Health;

namespace Tabby.Node.Policy;

/// <summary>
/// Network policy on this node, as Felix enforces it: datastore changes go through
/// <see cref="PolicySync"/> into the calculator, and the nftables dataplane applies only what
/// changed (the first apply replaces the owned table atomically, so a restarted agent never opens
/// a gap). Every <see cref="RefreshInterval"/> the table is read back and repaired if anything
/// changed it behind our back. Apply times and failures are exported as metrics.
/// </summary>
public sealed class PolicyService(NodeContextHolder holder, ChangeFeed feed, HealthAggregator health, TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    public const string HealthName = "policy";
    public const string MeterName = "Tabby.Policy";

    /// <summary>Felix's default iptables refresh interval.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan Resync = TimeSpan.FromSeconds(10);
    private readonly ILogger _logger = loggers.CreateLogger<PolicyService>();
    private readonly Meter _meter = new(MeterName);
    private PolicySync? _sync;

    /// <summary>The calculator the dataplane renders (null until the agent has started).</summary>
    public PolicyCalculator? Calculator => _sync?.Calculator;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await holder.WaitAsync(stoppingToken).ConfigureAwait(false) is not { } context)
        {
            return; // start-up failed, which stops the agent
        }

        if (!context.Settings.PolicyEnabled)
        {
            _logger.LogInformation("Network policy enforcement is off (TABBY_POLICY_ENABLED=false)");
            return;
        }

        var applyTime = _meter.CreateHistogram<double>("tabby.policy.apply.duration", "s", "Time to apply a policy change to nftables (render and transaction).");
        var applies = _meter.CreateCounter<long>("tabby.policy.applies", description: "Policy applies by kind (full, incremental, repair) and result.");
        var versions = new List<int>();
        if (context.IPv4 is not null)
        {
            versions.Add(4);
        }

        if (context.IPv6 is not null)
        {
            versions.Add(6);
        }

        var calculator = new PolicyCalculator();
        _sync = new PolicySync(context.NodeName, calculator);
        using var runner = new NftProcessRunner(); // holds the netlink socket transactions go over
        var dataplane = new NftablesPolicyDataplane(calculator, runner,
            new NftablesPolicyOptions { IpVersions = versions.Count == 0 ? [4] : versions }, loggers.CreateLogger<NftablesPolicyDataplane>());
        health.Register(HealthName, TimeSpan.FromSeconds(120));
        var wake = feed.Subscribe();
        var lastRefresh = time.GetUtcNow();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var problems = await _sync.SyncAsync(context.Store, stoppingToken).ConfigureAwait(false);
                foreach (var problem in problems.Where(p => !reported.Contains(p)))
                {
                    _logger.LogWarning("Policy input left out: {Problem}", problem);
                }

                reported = problems.ToHashSet(StringComparer.Ordinal); // a problem that comes back is logged again

                var statistics = await dataplane.ApplyAsync(stoppingToken).ConfigureAwait(false);
                if (statistics.ChangedChains > 0 || statistics.ChangedSets > 0 || statistics.Full)
                {
                    var kind = statistics.Full ? "full" : "incremental";
                    applyTime.Record(statistics.TotalTime.TotalSeconds, new KeyValuePair<string, object?>("kind", kind));
                    applies.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("result", "ok"));
                    _logger.LogInformation("Policy applied: {Statistics}", statistics);
                }

                if (time.GetUtcNow() - lastRefresh >= RefreshInterval)
                {
                    lastRefresh = time.GetUtcNow();
                    var drift = await dataplane.ResyncAsync(stoppingToken).ConfigureAwait(false);
                    if (drift.Count > 0)
                    {
                        applies.Add(1, new KeyValuePair<string, object?>("kind", "repair"), new KeyValuePair<string, object?>("result", "ok"));
                    }
                }

                health.Report(HealthName, new HealthReport(true, true));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                applies.Add(1, new KeyValuePair<string, object?>("kind", "any"), new KeyValuePair<string, object?>("result", "error"));
                _logger.LogWarning(e, "Policy update failed: {Reason}", e.Message);
                health.Report(HealthName, new HealthReport(true, false, "policy: " + e.Message));
            }

            await ChangeFeed.WaitAsync(wake, Resync, stoppingToken).ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }
}
