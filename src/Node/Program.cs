using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Tabby.Common.Logging;
using Tabby.Node.Agent;
using Tabby.Node.Bgp;
using Tabby.Node.Configuration;
using Tabby.Node.Dataplane;
using Tabby.Node.Health;
using Tabby.Node.Hosting;
using Tabby.Node.Metrics;
using Tabby.Node.Policy;
using Tabby.Node.Status;

namespace Tabby.Node;

/// <summary>tabby-node: loads and validates its settings, then runs the agent until SIGTERM.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        string? configFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--config" when i + 1 < args.Length:
                    configFile = args[++i];
                    break;
                case "--help" or "-h":
                    Console.WriteLine("usage: tabby-node [--config FILE]\nSettings come from environment variables (see docs/node.md) and the optional YAML file.");
                    return 0;
                default:
                    await Console.Error.WriteLineAsync($"tabby-node: unknown argument \"{args[i]}\" (usage: tabby-node [--config FILE])");
                    return 2;
            }
        }

        NodeSettings settings;
        try
        {
            var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
            settings = NodeSettingsLoader.Load(environment, configFile);
        }
        catch (SettingsException e)
        {
            await Console.Error.WriteLineAsync("tabby-node: " + e.Message);
            return 2;
        }

        await using var app = Build(settings);
        await app.RunAsync();
        return Environment.ExitCode;
    }

    /// <summary>The agent's host: one hosted service per subsystem, probes, metrics and the status socket.</summary>
    public static WebApplication Build(NodeSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(TabbyLogging.CreateSerilogLogger(settings.LogLevel, "tabby-node"), dispose: true);
        builder.Logging.SetMinimumLevel(settings.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // SIGTERM: stop within the DaemonSet's grace period, BGP with graceful restart.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (settings.HealthHost is "localhost")
            {
                kestrel.ListenLocalhost(settings.HealthPort);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(settings.HealthHost), settings.HealthPort);
            }

            if (settings.MetricsPort > 0 && settings.MetricsPort != settings.HealthPort)
            {
                kestrel.Listen(IPAddress.Parse(settings.MetricsHost), settings.MetricsPort);
            }

            var socketDirectory = Path.GetDirectoryName(settings.StatusSocket);
            if (!string.IsNullOrEmpty(socketDirectory))
            {
                Directory.CreateDirectory(socketDirectory);
            }

            File.Delete(settings.StatusSocket); // a stale socket of a previous run
            kestrel.ListenUnixSocket(settings.StatusSocket);
        });
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<HealthAggregator>();
        builder.Services.AddSingleton<NodeContextHolder>();
        builder.Services.AddSingleton(_ => new PrometheusExporter(meter => meter.Name.StartsWith("Tabby", StringComparison.Ordinal)));
        builder.Services.AddSingleton(sp => new NodeMetrics(settings.NodeName, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<StartupService>();
        builder.Services.AddSingleton<ChangeFeed>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ChangeFeed>());
        builder.Services.AddSingleton<DataplaneService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DataplaneService>());
        builder.Services.AddSingleton<BgpService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BgpService>());
        builder.Services.AddHostedService<IpamGcService>();
        builder.Services.AddSingleton<BgpMetrics>();
        builder.Services.AddHostedService<NodeStatusReporter>();
        builder.Services.AddSingleton<PolicyService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PolicyService>());

        var app = builder.Build();
        _ = app.Services.GetRequiredService<NodeMetrics>();
        _ = app.Services.GetRequiredService<BgpMetrics>();
        HttpEndpoints.MapHealth(app, app.Services.GetRequiredService<HealthAggregator>());
        HttpEndpoints.MapMetrics(app, app.Services.GetRequiredService<PrometheusExporter>());
        StatusEndpoint.Map(app, app.Services.GetRequiredService<NodeContextHolder>(), app.Services.GetRequiredService<BgpService>(),
            app.Services.GetRequiredService<DataplaneService>());
        return app;
    }
}
