using System.Text.Json.Serialization;
using Tabby.Node.Health;

namespace Tabby.Node.Hosting;

[JsonSerializable(typeof(HealthSummary))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class NodeJsonContext : JsonSerializerContext;
