using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Serialization;
using Tabby.Datastore.Validation;

namespace Tabby.Ctl.Resources;

/// <summary>One object read from a file: where it came from and what it is.</summary>
internal sealed record ResourceDocument(string Location, ResourceKind Kind, Resource Resource)
{
    public string Describe => $"{Kind.Kind} \"{(Resource.Metadata.Namespace is { } ns ? ns + "/" : "")}{Resource.Metadata.Name}\"";
}

/// <summary>
/// Reads YAML or JSON documents (several per file, or a List) of Tabby's kinds: crd.projectcalico.org/v1,
/// calicoctl's projectcalico.org/v3 (converted: IPAMConfiguration becomes IPAMConfig) and Kubernetes
/// built-ins. Each problem is reported with the document's place and the offending field.
/// </summary>
internal static class DocumentReader
{
    public static (List<ResourceDocument> Documents, List<string> Errors) Read(IEnumerable<(string Source, string Text)> inputs, string defaultNamespace)
    {
        var documents = new List<ResourceDocument>();
        var errors = new List<string>();
        foreach (var (source, text) in inputs)
        {
            IReadOnlyList<JsonNode?> parsed;
            try
            {
                parsed = YamlJson.ParseDocuments(text);
            }
            catch (FormatException e)
            {
                errors.Add($"{source}: {e.Message}");
                continue;
            }

            var index = 0;
            foreach (var node in parsed.SelectMany(Expand))
            {
                index++;
                if (node is null)
                {
                    continue;
                }

                var location = $"{source} document {index}";
                if (node is not JsonObject obj)
                {
                    errors.Add($"{location}: not a mapping (expected an object with apiVersion, kind, metadata, spec)");
                    continue;
                }

                var document = ReadOne(obj, location, defaultNamespace, errors);
                if (document is not null)
                {
                    documents.Add(document);
                }
            }
        }

        return (documents, errors);
    }

    /// <summary>A <c>kind: List</c> (or FooList) document stands for its items.</summary>
    private static IEnumerable<JsonNode?> Expand(JsonNode? node) =>
        node is JsonObject obj && obj["kind"]?.GetValueKind() == JsonValueKind.String &&
        obj["kind"]!.GetValue<string>().EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items
            ? items.SelectMany(Expand)
            : [node];

    private static ResourceDocument? ReadOne(JsonObject obj, string location, string defaultNamespace, List<string> errors)
    {
        var apiVersion = obj["apiVersion"]?.GetValueKind() == JsonValueKind.String ? obj["apiVersion"]!.GetValue<string>() : null;
        var kindName = obj["kind"]?.GetValueKind() == JsonValueKind.String ? obj["kind"]!.GetValue<string>() : null;
        if (apiVersion is null || kindName is null)
        {
            errors.Add($"{location}: {(apiVersion is null ? "apiVersion" : "kind")}: is required");
            return null;
        }

        var kind = ResourceKinds.FromApiVersionAndKind(apiVersion, kindName);
        if (kind is null)
        {
            var supported = string.Join(", ", ResourceKinds.All.Where(k => k.IsCalico).Select(k => k.CalicoV3Kind ?? k.Kind).Distinct());
            errors.Add($"{location}: kind: {kindName} in {apiVersion} is not a Tabby resource (projectcalico.org/v3 or crd.projectcalico.org/v1: {supported}; or a Kubernetes Node, Pod, Namespace, Service, Secret, NetworkPolicy)");
            return null;
        }

        obj = (JsonObject)obj.DeepClone();
        obj["apiVersion"] = kind.ApiVersion;
        obj["kind"] = kind.Kind;
        var name = obj["metadata"]?["name"]?.GetValueKind() == JsonValueKind.String ? obj["metadata"]!["name"]!.GetValue<string>() : "";
        var what = $"{location} ({kind.Kind} \"{name}\")";
        var problems = UnknownFields.Find(kind.ClrType, obj).Select(path => $"{path}: unknown field").ToList();
        Resource resource;
        try
        {
            resource = kind.DeserializeResource(Encoding.UTF8.GetBytes(obj.ToJsonString()));
        }
        catch (JsonException e)
        {
            var field = (e.Path ?? "$").TrimStart('$').TrimStart('.');
            errors.Add($"{what}: {(field.Length == 0 ? "document" : field)}: {FirstSentence(e.Message)}");
            return null;
        }

        if (kind.Namespaced && string.IsNullOrEmpty(resource.Metadata.Namespace))
        {
            resource.Metadata.Namespace = defaultNamespace;
        }
        else if (!kind.Namespaced && resource.Metadata.Namespace is not null)
        {
            problems.Add($"metadata.namespace: {kind.Kind} is cluster-scoped and has no namespace");
        }

        problems.AddRange(ResourceValidator.Validate(resource).Select(e => e.ToString()));
        if (problems.Count > 0)
        {
            errors.Add($"{what}: " + string.Join("; ", problems));
            return null;
        }

        return new ResourceDocument(location, kind, resource);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
