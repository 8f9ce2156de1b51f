using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;

namespace Tabby.Common.Logging;

/// <summary>
/// The logging baseline every Tabby process uses: Serilog underneath Microsoft.Extensions.Logging,
/// structured properties kept, console output to stderr so that stdout stays free for command
/// output (tabbyctl, the CNI plugin's JSON results).
/// </summary>
public static class TabbyLogging
{
    private const string ConsoleTemplate =
        "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>Builds a Serilog logger writing structured events to stderr.</summary>
    /// <param name="minimumLevel">Lowest level written.</param>
    /// <param name="component">Added as the <c>Component</c> property to every event.</param>
    public static Serilog.ILogger CreateSerilogLogger(LogLevel minimumLevel, string component) =>
        new LoggerConfiguration()
            .MinimumLevel.Is(ToSerilogLevel(minimumLevel))
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Component", component)
            .WriteTo.Console(
                outputTemplate: ConsoleTemplate,
                standardErrorFromLevel: LogEventLevel.Verbose,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .CreateLogger();

    /// <summary>An <see cref="ILoggerFactory"/> backed by Serilog, for libraries that take one.</summary>
    public static ILoggerFactory CreateLoggerFactory(LogLevel minimumLevel, string component) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(minimumLevel)
            .AddSerilog(CreateSerilogLogger(minimumLevel, component), dispose: true));

    /// <summary>Parses a level as calico-node spells it (debug, info, warning, error, fatal, none).</summary>
    public static bool TryParseLevel(string? text, out LogLevel level)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "trace": level = LogLevel.Trace; return true;
            case "debug": level = LogLevel.Debug; return true;
            case "info": case "information": level = LogLevel.Information; return true;
            case "warn": case "warning": level = LogLevel.Warning; return true;
            case "error": level = LogLevel.Error; return true;
            case "fatal": case "critical": level = LogLevel.Critical; return true;
            case "none": level = LogLevel.None; return true;
            default: level = LogLevel.Information; return false;
        }
    }

    private static LogEventLevel ToSerilogLevel(LogLevel level) => level switch
    {
        LogLevel.Trace => LogEventLevel.Verbose,
        LogLevel.Debug => LogEventLevel.Debug,
        LogLevel.Information => LogEventLevel.Information,
        LogLevel.Warning => LogEventLevel.Warning,
        LogLevel.Error => LogEventLevel.Error,
        _ => LogEventLevel.Fatal,
    };
}
