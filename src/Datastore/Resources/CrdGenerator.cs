using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Tabby.Datastore.Resources.Calico;

namespace Tabby.Datastore.Resources;

/// <summary>
/// Generates the CustomResourceDefinitions in deploy/crds from the resource model, so the schemas
/// can never drift from the types (a test compares the checked-in files with this output).
/// Schemas are structural: every field has a type; free-form fields say
/// x-kubernetes-preserve-unknown-fields; ports and protocols are x-kubernetes-int-or-string.
/// </summary>
public static class CrdGenerator
{
    // Declared before Details: static fields initialize in text order.
    private static readonly JsonObject Age = Col("Age", ".metadata.creationTimestamp", "date");

    private static readonly Dictionary<ResourceKind, KindDetails> Details = new()
    {
        [ResourceKinds.IPPools] = new("A range of pod addresses handed out in blocks.", ["cidr"],
            [Col("CIDR", ".spec.cidr"), Col("Block Size", ".spec.blockSize", "integer"), Col("IPIP", ".spec.ipipMode"), Col("VXLAN", ".spec.vxlanMode"),
             Col("NAT", ".spec.natOutgoing", "boolean"), Col("Disabled", ".spec.disabled", "boolean"), Col("Node Selector", ".spec.nodeSelector", priority: 1), Age]),
        [ResourceKinds.IPAMBlocks] = new("One block of an IP pool with its allocations.", ["cidr", "allocations", "unallocated", "attributes"],
            [Col("CIDR", ".spec.cidr"), Col("Affinity", ".spec.affinity"), Col("Sequence", ".spec.sequenceNumber", "integer", 1), Age]),
        [ResourceKinds.BlockAffinities] = new("A node's claim on an IPAM block.", ["state", "node", "cidr", "deleted"],
            [Col("Node", ".spec.node"), Col("CIDR", ".spec.cidr"), Col("State", ".spec.state"), Col("Deleted", ".spec.deleted", priority: 1), Age]),
        [ResourceKinds.IPAMHandles] = new("The blocks holding the addresses of one allocation handle.", ["handleID", "block"],
            [Col("Handle", ".spec.handleID"), Age]),
        [ResourceKinds.IPAMConfigs] = new("Cluster IPAM settings (the object named default).", [],
            [Col("Strict Affinity", ".spec.strictAffinity", "boolean"), Col("Max Blocks Per Host", ".spec.maxBlocksPerHost", "integer"), Age]),
        [ResourceKinds.BGPConfigurations] = new("BGP settings: default for the cluster, node.<name> per node.", [],
            [Col("AS Number", ".spec.asNumber", "integer"), Col("Mesh", ".spec.nodeToNodeMeshEnabled", "boolean"), Col("Listen Port", ".spec.listenPort", "integer"), Age]),
        [ResourceKinds.BGPPeers] = new("A BGP peering of some or all nodes.", [],
            [Col("Peer IP", ".spec.peerIP"), Col("AS Number", ".spec.asNumber", "integer"), Col("Node", ".spec.node"),
             Col("Node Selector", ".spec.nodeSelector", priority: 1), Col("Peer Selector", ".spec.peerSelector", priority: 1), Age]),
        [ResourceKinds.BGPFilters] = new("Route import/export filters referenced by BGP peers.", [], [Age]),
        [ResourceKinds.CalicoNodeStatuses] = new("Agent, BGP and route status reported by a node.", [],
            [Col("Node", ".spec.node"), Col("Updated", ".status.lastUpdated", "date"), Age], StatusSubresource: true),
        [ResourceKinds.NetworkPolicies] = new("A namespaced Calico network policy.", [],
            [Col("Tier", ".spec.tier"), Col("Order", ".spec.order", "number"), Col("Selector", ".spec.selector"), Age]),
        [ResourceKinds.GlobalNetworkPolicies] = new("A cluster-wide Calico network policy.", [],
            [Col("Tier", ".spec.tier"), Col("Order", ".spec.order", "number"), Col("Selector", ".spec.selector"), Age]),
        [ResourceKinds.Tiers] = new("An ordered group of policies.", [],
            [Col("Order", ".spec.order", "number"), Col("Default Action", ".spec.defaultAction"), Age]),
    };

    /// <summary>Every Calico kind that is a CRD (the Calico Node lives on the Kubernetes Node instead).</summary>
    public static IEnumerable<ResourceKind> CrdKinds => ResourceKinds.All.Where(k => Details.ContainsKey(k));

    /// <summary>kubectl printer columns of a CRD kind (tabbyctl's tables use the same ones); empty for other kinds.</summary>
    public static IReadOnlyList<PrinterColumn> PrinterColumns(ResourceKind kind) =>
        Details.TryGetValue(kind, out var details)
            ? details.Columns.Select(c => new PrinterColumn(c["name"]!.GetValue<string>(), c["jsonPath"]!.GetValue<string>(),
                c["type"]!.GetValue<string>(), c["priority"]?.GetValue<int>() ?? 0)).ToList()
            : [];

    public static string FileName(ResourceKind kind) => $"{kind.Group}_{kind.Plural}.yaml";

    public static JsonObject Generate(ResourceKind kind)
    {
        var details = Details[kind];
        var properties = new JsonObject
        {
            ["apiVersion"] = new JsonObject { ["type"] = "string" },
            ["kind"] = new JsonObject { ["type"] = "string" },
            ["metadata"] = new JsonObject { ["type"] = "object" },
        };
        foreach (var property in kind.ClrType.GetProperties())
        {
            if (property.Name is "Spec" or "Status")
            {
                var schema = Schema(property.PropertyType, nullable: false);
                if (property.Name == "Spec" && details.Required.Count > 0)
                {
                    schema["required"] = new JsonArray(details.Required.Select(r => (JsonNode)r).ToArray());
                }

                properties[JsonName(property)!] = schema;
            }
        }

        var version = new JsonObject
        {
            ["name"] = kind.Version,
            ["served"] = true,
            ["storage"] = true,
            ["schema"] = new JsonObject
            {
                ["openAPIV3Schema"] = new JsonObject
                {
                    ["description"] = details.Description,
                    ["type"] = "object",
                    ["properties"] = properties,
                },
            },
            ["additionalPrinterColumns"] = new JsonArray(details.Columns.Select(c => c.DeepClone()).ToArray()),
        };
        if (details.StatusSubresource)
        {
            version["subresources"] = new JsonObject { ["status"] = new JsonObject() };
        }

        var names = new JsonObject
        {
            ["kind"] = kind.Kind,
            ["listKind"] = kind.Kind + "List",
            ["plural"] = kind.Plural,
            ["singular"] = kind.Kind.ToLowerInvariant(),
        };
        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{kind.Plural}.{kind.Group}",
                ["labels"] = new JsonObject { ["app.kubernetes.io/part-of"] = "tabby" },
            },
            ["spec"] = new JsonObject
            {
                ["group"] = kind.Group,
                ["names"] = names,
                ["scope"] = kind.Namespaced ? "Namespaced" : "Cluster",
                ["versions"] = new JsonArray(version),
            },
        };
    }

    /// <summary>The manifest text as written to deploy/crds.</summary>
    public static string GenerateYaml(ResourceKind kind) =>
        "# Generated from src/Datastore/Resources by CrdGenerator; do not edit (tests check it is current).\n" +
        Serialization.YamlJson.ToYaml(Generate(kind));

    private static JsonObject Schema(Type type, bool nullable)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            return Schema(underlying, nullable: true);
        }

        JsonObject schema;
        if (type == typeof(string))
        {
            schema = new JsonObject { ["type"] = "string" };
        }
        else if (type == typeof(bool))
        {
            schema = new JsonObject { ["type"] = "boolean" };
        }
        else if (type == typeof(int))
        {
            schema = new JsonObject { ["type"] = "integer", ["format"] = "int32" };
        }
        else if (type == typeof(long) || type == typeof(ulong))
        {
            schema = new JsonObject { ["type"] = "integer", ["format"] = "int64" };
        }
        else if (type == typeof(uint))
        {
            schema = new JsonObject { ["type"] = "integer", ["format"] = "int64", ["minimum"] = 0, ["maximum"] = uint.MaxValue };
        }
        else if (type == typeof(double))
        {
            schema = new JsonObject { ["type"] = "number" };
        }
        else if (type == typeof(DateTimeOffset))
        {
            schema = new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        }
        else if (type == typeof(IntOrString))
        {
            return new JsonObject { ["x-kubernetes-int-or-string"] = true };
        }
        else if (type == typeof(JsonElement))
        {
            return new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        }
        else if (type == typeof(byte[]))
        {
            schema = new JsonObject { ["type"] = "string", ["format"] = "byte" };
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            schema = new JsonObject { ["type"] = "array", ["items"] = Schema(type.GetGenericArguments()[0], nullable: false) };
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            schema = new JsonObject { ["type"] = "object", ["additionalProperties"] = Schema(type.GetGenericArguments()[1], nullable: false) };
        }
        else if (type.IsClass)
        {
            var properties = new JsonObject();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
            {
                if (JsonName(property) is { } name)
                {
                    var propertySchema = Schema(property.PropertyType, nullable: false);
                    if (property.GetCustomAttribute<JsonConverterAttribute>()?.ConverterType == typeof(AsNumberConverter))
                    {
                        // Calico accepts asdot strings too; stored as a number.
                        propertySchema = new JsonObject { ["x-kubernetes-int-or-string"] = true };
                    }

                    properties[name] = propertySchema;
                }
            }

            schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
        }
        else
        {
            throw new NotSupportedException($"no schema mapping for {type}");
        }

        if (nullable && type == typeof(int))
        {
            schema["nullable"] = true;
        }

        return schema;
    }

    /// <summary>Properties that appear in JSON: named, not ignored, not extension data.</summary>
    private static string? JsonName(PropertyInfo property) =>
        property.GetCustomAttribute<JsonIgnoreAttribute>() is null && property.GetCustomAttribute<JsonExtensionDataAttribute>() is null
            ? property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
            : null;

    private static JsonObject Col(string name, string path, string type = "string", int priority = 0)
    {
        var column = new JsonObject { ["name"] = name, ["type"] = type, ["jsonPath"] = path };
        if (priority > 0)
        {
            column["priority"] = priority;
        }

        return column;
    }

    private sealed record KindDetails(string Description, IReadOnlyList<string> Required, IReadOnlyList<JsonObject> Columns, bool StatusSubresource = false);
}

/// <summary>A column of <c>kubectl get</c> / <c>tabbyctl get</c> output: a JSON path into the object.</summary>
public sealed record PrinterColumn(string Name, string JsonPath, string Type, int Priority);
