using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tabby.Datastore.Serialization;

/// <summary>
/// YAML ⇄ JSON for resource documents: parsing follows the YAML 1.2 core schema (plain true/false,
/// null/~, integers and floats are typed; quoted scalars are strings); writing emits block-style YAML
/// that kubectl and calicoctl read, quoting strings that would otherwise change type.
/// </summary>
public static class YamlJson
{
    /// <summary>Every document of a (multi-document) YAML or JSON stream; a List kind is not expanded here.</summary>
    public static IReadOnlyList<JsonNode?> ParseDocuments(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new FormatException($"line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }

        return stream.Documents.Select(d => ToJson(d.RootNode)).ToList();
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair =>
            new KeyValuePair<string, JsonNode?>(((YamlScalarNode)pair.Key).Value ?? "", ToJson(pair.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new FormatException($"line {node.Start.Line}: unsupported YAML node (aliases are not allowed)"),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            _ when IsFloat(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            _ => JsonValue.Create(value),
        };
    }

    private static bool IsFloat(string value) =>
        value.Length > 0 && (char.IsAsciiDigit(value[0]) || value[0] is '-' or '+' or '.') &&
        value.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '-' or '+') && value.Any(char.IsAsciiDigit);

    /// <summary>Block-style YAML for one document (no leading "---").</summary>
    public static string ToYaml(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(builder, node, 0, inSequence: false);
        return builder.ToString();
    }

    private static void Write(StringBuilder b, JsonNode? node, int indent, bool inSequence)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count == 0:
                b.Append("{}\n");
                break;
            case JsonObject obj:
                var first = true;
                foreach (var (key, value) in obj)
                {
                    if (!(first && inSequence))
                    {
                        b.Append(' ', indent);
                    }

                    first = false;
                    b.Append(QuoteIfNeeded(key)).Append(':');
                    WriteValue(b, value, indent + 2, afterKey: true);
                }

                break;
            case JsonArray array when array.Count == 0:
                b.Append("[]\n");
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    b.Append(' ', indent).Append('-');
                    WriteValue(b, item, indent + 2, afterKey: false);
                }

                break;
            default:
                b.Append(ScalarText(node)).Append('\n');
                break;
        }
    }

    private static void WriteValue(StringBuilder b, JsonNode? value, int indent, bool afterKey)
    {
        switch (value)
        {
            case JsonObject { Count: > 0 } when afterKey:
                b.Append('\n');
                Write(b, value, indent, inSequence: false);
                break;
            case JsonObject { Count: > 0 }:
                b.Append(' ');
                Write(b, value, indent, inSequence: true);
                break;
            case JsonArray { Count: > 0 }:
                b.Append('\n');
                // Kubernetes style: sequence items under a key at the key's indentation.
                Write(b, value, afterKey ? indent - 2 : indent, inSequence: false);
                break;
            default:
                b.Append(' ');
                Write(b, value, indent, inSequence: false);
                break;
        }
    }

    private static string ScalarText(JsonNode? node)
    {
        if (node is null)
        {
            return "null";
        }

        return node.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => QuoteIfNeeded(node.GetValue<string>()),
            System.Text.Json.JsonValueKind.True => "true",
            System.Text.Json.JsonValueKind.False => "false",
            _ => node.ToJsonString(),
        };
    }

    /// <summary>Quotes strings YAML would read as another type or that contain syntax characters.</summary>
    private static string QuoteIfNeeded(string s)
    {
        var needs = s.Length == 0 || Scalar(new YamlScalarNode(s)) is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String ||
            s.IndexOfAny([':', '#', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '\n', '\t']) >= 0 ||
            char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1]) || s[0] is '-' or '?' || s is "yes" or "no" or "on" or "off" or "y" or "n";
        if (!needs)
        {
            return s;
        }

        var quoted = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                '\n' => quoted.Append("\\n"),
                '\t' => quoted.Append("\\t"),
                '\r' => quoted.Append("\\r"),
                _ when char.IsControl(c) => quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }
}
