using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tabby.Datastore;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Pools;
using Tabby.Node.Configuration;
using Tabby.Node.Startup;

namespace Tabby.Node.Agent;

/// <summary>
/// Start-up as calico-node does it: open the datastore, find the node's addresses, create default
/// pools, register the node (BGP spec, tunnel addresses). Failures here stop the agent with the reason.
/// </summary>
public sealed class StartupService(NodeSettings settings, NodeContextHolder holder, TimeProvider time, ILoggerFactory loggers,
    IHostApplicationLifetime lifetime) : IHostedService
{
    private readonly ILogger _logger = loggers.CreateLogger<StartupService>();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var store = DatastoreFactory.Create(settings.Datastore, loggers);
            _logger.LogInformation("Using {Datastore}", store.Description);
            var ipv4 = Resolve(settings.IPv4, AddressFamily.InterNetwork, "IP");
            var ipv6 = Resolve(settings.IPv6, AddressFamily.InterNetworkV6, "IP6");
            var registration = new NodeRegistration(store, CalicoSelectorMatcher.Instance, loggers.CreateLogger<NodeRegistration>());
            await registration.EnsureDefaultPoolsAsync(settings, cancellationToken).ConfigureAwait(false);
            var ipam = new IpamAllocator(store, CalicoSelectorMatcher.Instance, time: time, logger: loggers.CreateLogger<IpamAllocator>());
            var registered = await registration.RegisterAsync(settings, ipv4, ipv6, new Dictionary<string, string>(), ipam, cancellationToken)
                .ConfigureAwait(false);
            holder.Set(new NodeContext(settings, store, ipam, ipv4, ipv6, registered, time.GetUtcNow()));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogCritical(e, "Start-up failed: {Reason}", e.Message);
            holder.Fail(e);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private Configuration.NodeAddress? Resolve(NodeAddressSetting setting, AddressFamily family, string name)
    {
        if (setting.Disabled)
        {
            return null;
        }

        if (setting.Fixed is { } fixedAddress)
        {
            return fixedAddress;
        }

        var found = AddressAutodetector.Detect(setting.Method, family, AddressAutodetector.ReadInterfaces(),
            AddressAutodetector.SourceAddressTowards, out var reason);
        if (found is null)
        {
            throw new SettingsException([new SettingError(name + "_AUTODETECTION_METHOD", setting.Method.ToString(), "no address found: " + reason)]);
        }

        _logger.LogInformation("Autodetected {Setting} {Address} using {Method}", name, found, setting.Method);
        return found;
    }
}
