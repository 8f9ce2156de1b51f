using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Tabby.Common.Logging;
using Tabby.Node.Configuration;
using Tabby.Node.Health;
using Tabby.Node.Hosting;
using Tabby.Node.Metrics;

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

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(TabbyLogging.CreateSerilogLogger(settings.LogLevel, "tabby-node"), dispose: true);
        builder.Logging.SetMinimumLevel(settings.LogLevel);
        builder.WebHost.UseUrls($"http://{settings.HealthHost}:{settings.HealthPort}");
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<HealthAggregator>();
        builder.Services.AddSingleton(_ => new PrometheusExporter(meter => meter.Name.StartsWith("Tabby", StringComparison.Ordinal)));
        builder.Services.AddSingleton(sp => new NodeMetrics(settings.NodeName, sp.GetRequiredService<TimeProvider>()));

        await using var app = builder.Build();
        _ = app.Services.GetRequiredService<NodeMetrics>();
        HttpEndpoints.MapHealth(app, app.Services.GetRequiredService<HealthAggregator>());
        HttpEndpoints.MapMetrics(app, app.Services.GetRequiredService<PrometheusExporter>());
        await app.RunAsync();
        return 0;
    }
}
