using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Tabby.Ctl.Policy;

/// <summary>
/// Reads manifests as kubectl and calicoctl accept them: YAML (several documents separated by
/// <c>---</c>) or JSON, single objects or <c>kind: List</c> with <c>items</c>, from files,
/// directories (*.yaml, *.yml, *.json) or stdin (<c>-</c>). YAML is turned into JSON nodes with
/// YAML 1.2 core-schema typing for plain scalars (numbers, booleans, null), quoted scalars stay strings.
/// </summary>
internal static class ManifestReader
{
    public static List<JsonObject> Read(IEnumerable<string> paths, TextReader stdin)
    {
        var objects = new List<JsonObject>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                AddDocuments(objects, stdin.ReadToEnd(), "stdin");
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path).Where(IsManifest).Order(StringComparer.Ordinal))
                {
                    AddDocuments(objects, File.ReadAllText(file), file);
                }
            }
            else
            {
                AddDocuments(objects, File.ReadAllText(path), path);
            }
        }

        return objects;
    }

    private static bool IsManifest(string file) =>
        file.EndsWith(".yaml", StringComparison.Ordinal) || file.EndsWith(".yml", StringComparison.Ordinal) || file.EndsWith(".json", StringComparison.Ordinal);

    private static void AddDocuments(List<JsonObject> objects, string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text)); // JSON is YAML, so one parser reads both
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"{source}: line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }

        foreach (var document in stream.Documents)
        {
            if (ToJson(document.RootNode) is not JsonObject obj)
            {
                continue;
            }

            if ((string?)obj["kind"] == "List" && obj["items"] is JsonArray items)
            {
                objects.AddRange(items.OfType<JsonObject>().Select(i => (JsonObject)i.DeepClone()));
            }
            else
            {
                objects.Add(obj);
            }
        }
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is not (YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any))
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(value);
    }
}
