using System.Text.Json;
using System.Text.Json.Nodes;
using Tabby.Felix.Policy.Evaluation;
using YamlDotNet.Serialization;

namespace Tabby.Ctl.Policy;

/// <summary>Prints a trace as text (default), wide text, JSON or YAML.</summary>
internal static class TraceFormatter
{
    public static void Write(TraceResult result, string format, TextWriter output)
    {
        switch (format)
        {
            case "json":
                output.WriteLine(ToJson(result).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                break;
            case "yaml":
                output.Write(new SerializerBuilder().Build().Serialize(ToPlain(ToJson(result))));
                break;
            default:
                WriteText(result, format == "wide", output);
                break;
        }
    }

    private static void WriteText(TraceResult result, bool wide, TextWriter output)
    {
        output.WriteLine($"{(result.Verdict.Allowed ? "ALLOW" : "DENY")}  {result.From} -> {result.To}  {Describe(result.Flow)}");
        foreach (var step in result.Verdict.Steps)
        {
            var line = $"  {step.Direction.ToString().ToLowerInvariant(),-8} {step.Endpoint,-24} ";
            line += step.Reason switch
            {
                TraceReason.NotAnEndpoint => "not a pod: no workload policy on this side",
                TraceReason.NotIsolated => "no policy applies: not isolated",
                TraceReason.TierDefault => $"tier {step.Tier}: no policy decided, tier default",
                TraceReason.AllTiersPassed => "every tier passed: allowed by the namespace profile",
                _ => $"tier {step.Tier}  policy {step.Policy}  rule {step.RuleIndex}" + (wide && !string.IsNullOrEmpty(step.RuleOrigin) ? $" ({step.RuleOrigin})" : ""),
            };
            output.WriteLine($"{line}  => {step.Action}");
        }
    }

    private static string Describe(Flow flow) =>
        flow.Protocol.HasPorts ? $"{flow.Protocol} {flow.SourcePort}->{flow.DestinationPort}"
        : flow.Protocol.IsIcmp ? $"{flow.Protocol} type {flow.IcmpType} code {flow.IcmpCode}"
        : flow.Protocol.ToString();

    private static JsonObject ToJson(TraceResult result) => new()
    {
        ["allowed"] = result.Verdict.Allowed,
        ["from"] = result.From,
        ["to"] = result.To,
        ["flow"] = new JsonObject
        {
            ["source"] = result.Flow.Source.ToString(),
            ["destination"] = result.Flow.Destination.ToString(),
            ["protocol"] = result.Flow.Protocol.ToString(),
            ["sourcePort"] = result.Flow.SourcePort,
            ["destinationPort"] = result.Flow.DestinationPort,
        },
        ["steps"] = new JsonArray([.. result.Verdict.Steps.Select(s => (JsonNode)new JsonObject
        {
            ["direction"] = s.Direction.ToString(),
            ["endpoint"] = s.Endpoint,
            ["tier"] = s.Tier,
            ["policy"] = s.Policy,
            ["rule"] = s.RuleIndex,
            ["ruleOrigin"] = s.RuleOrigin,
            ["action"] = s.Action.ToString(),
            ["reason"] = s.Reason.ToString(),
        })]),
    };

    private static object? ToPlain(JsonNode? node) => node switch
    {
        JsonObject o => o.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => ToPlain(p.Value)),
        JsonArray a => a.Select(ToPlain).ToList(),
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v => v.ToString(),
        _ => null,
    };
}
