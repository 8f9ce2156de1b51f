using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Serialization;

namespace Tabby.Ctl.Resources;

/// <summary>
/// kubectl-style output of resources: a table (the CRD's printer columns; <c>-o wide</c> adds
/// the priority ones), <c>-o json</c>, <c>-o yaml</c> (a List when there are several) or <c>-o name</c>.
/// </summary>
internal static class ResourcePrinter
{
    public static readonly string[] Formats = ["table", "wide", "json", "yaml", "name"];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, TypeInfoResolver = DatastoreJsonContext.Default };

    /// <summary>Columns of kinds that are not CRDs (Calico Node and the Kubernetes kinds).</summary>
    private static readonly Dictionary<ResourceKind, PrinterColumn[]> BuiltInColumns = new()
    {
        [ResourceKinds.CalicoNodes] = [new("ASN", ".spec.bgp.asNumber", "integer", 0), new("IPV4", ".spec.bgp.ipv4Address", "string", 0),
            new("IPV6", ".spec.bgp.ipv6Address", "string", 1), new("RR Cluster", ".spec.bgp.routeReflectorClusterID", "string", 1)],
        [ResourceKinds.Pods] = [new("Node", ".spec.nodeName", "string", 0), new("IP", ".status.podIP", "string", 0), Age()],
        [ResourceKinds.Services] = [new("Type", ".spec.type", "string", 0), new("Cluster-IP", ".spec.clusterIP", "string", 0), Age()],
    };

    private static PrinterColumn Age() => new("Age", ".metadata.creationTimestamp", "date", 0);

    public static void Print(TextWriter output, ResourceKind kind, IReadOnlyList<Resource> items, string format, bool showNamespace, DateTimeOffset now)
    {
        switch (format)
        {
            case "json":
                output.WriteLine(ToNode(kind, items).ToJsonString(Indented));
                break;
            case "yaml":
                output.Write(YamlJson.ToYaml(ToNode(kind, items)));
                break;
            case "name":
                foreach (var item in items)
                {
                    output.WriteLine($"{QualifiedName(kind)}/{item.Metadata.Name}");
                }

                break;
            default:
                PrintTable(output, kind, items, format == "wide", showNamespace, now);
                break;
        }
    }

    /// <summary><c>ippool.crd.projectcalico.org</c>, as kubectl names objects in messages.</summary>
    public static string QualifiedName(ResourceKind kind) =>
        kind.Kind.ToLowerInvariant() + (kind.Group.Length == 0 ? "" : "." + kind.Group);

    private static JsonNode ToNode(ResourceKind kind, IReadOnlyList<Resource> items)
    {
        JsonNode Single(Resource r) => JsonNode.Parse(kind.SerializeResource(r))!;
        return items.Count == 1
            ? Single(items[0])
            : new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "List",
                ["items"] = new JsonArray(items.Select(Single).ToArray()),
            };
    }

    private static void PrintTable(TextWriter output, ResourceKind kind, IReadOnlyList<Resource> items, bool wide, bool showNamespace, DateTimeOffset now)
    {
        if (items.Count == 0)
        {
            output.WriteLine("No resources found.");
            return;
        }

        var columns = (CrdGenerator.PrinterColumns(kind) is { Count: > 0 } crd ? crd : BuiltInColumns.GetValueOrDefault(kind) ?? [Age()])
            .Where(c => wide || c.Priority == 0).ToList();
        var headers = new List<string>();
        if (showNamespace)
        {
            headers.Add("NAMESPACE");
        }

        headers.Add("NAME");
        headers.AddRange(columns.Select(c => c.Name.ToUpperInvariant()));
        var rows = new List<List<string>>();
        foreach (var item in items)
        {
            using var doc = JsonDocument.Parse(kind.SerializeResource(item));
            var row = new List<string>();
            if (showNamespace)
            {
                row.Add(item.Metadata.Namespace ?? "");
            }

            row.Add(item.Metadata.Name);
            row.AddRange(columns.Select(c => Cell(doc.RootElement, c, now)));
            rows.Add(row);
        }

        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        void Line(IReadOnlyList<string> cells)
        {
            var builder = new StringBuilder();
            for (var i = 0; i < cells.Count; i++)
            {
                builder.Append(i == cells.Count - 1 ? cells[i] : cells[i].PadRight(widths[i] + 3));
            }

            output.WriteLine(builder.ToString().TrimEnd());
        }

        Line(headers);
        foreach (var row in rows)
        {
            Line(row);
        }
    }

    private static string Cell(JsonElement root, PrinterColumn column, DateTimeOffset now)
    {
        var element = root;
        foreach (var segment in column.JsonPath.TrimStart('.').Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
            {
                return "<none>";
            }
        }

        return element.ValueKind switch
        {
            JsonValueKind.String when column.Type == "date" && DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                => FormatAge(now - time),
            JsonValueKind.String => element.GetString()!,
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "<none>",
            _ => element.GetRawText(),
        };
    }

    /// <summary>kubectl's short ages: 45s, 12m, 5h, 3d, 2y.</summary>
    public static string FormatAge(TimeSpan age) => age switch
    {
        { TotalSeconds: < 0 } => "0s",
        { TotalMinutes: < 2 } => $"{(int)age.TotalSeconds}s",
        { TotalHours: < 2 } => $"{(int)age.TotalMinutes}m",
        { TotalDays: < 2 } => $"{(int)age.TotalHours}h",
        { TotalDays: < 730 } => $"{(int)age.TotalDays}d",
        _ => $"{(int)(age.TotalDays / 365)}y",
    };
}
