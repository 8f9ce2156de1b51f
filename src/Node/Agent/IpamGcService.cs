using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tabby.Ipam.Gc;

namespace Tabby.Node.Agent;

/// <summary>Runs IPAM garbage collection every minute (conservative: see IpamGarbageCollector).</summary>
public sealed class IpamGcService(NodeContextHolder holder, TimeProvider time, ILoggerFactory loggers) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await holder.WaitAsync(stoppingToken).ConfigureAwait(false) is not { } context)
        {
            return; // start-up failed, which stops the agent
        }

        var logger = loggers.CreateLogger<IpamGcService>();
        var gc = new IpamGarbageCollector(context.Ipam, ct => WorkloadInventory.LoadAsync(context.Store, ct), new IpamGcOptions(), time,
            loggers.CreateLogger<IpamGarbageCollector>());
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var result = await gc.RunOnceAsync(stoppingToken).ConfigureAwait(false);
                    if (result.Released.Count > 0 || result.NodesCleaned.Count > 0)
                    {
                        logger.LogInformation("IPAM GC released {Addresses} addresses and the blocks of {Nodes} deleted nodes",
                            result.Released.Count, result.NodesCleaned.Count);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "IPAM GC pass failed: {Reason}", e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
