using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Tabby.Ctl.Resources;

/// <summary>
/// Finds fields of a document that the resource type does not have (typos such as
/// <c>spec.ipipmode</c>), which would otherwise be kept silently and do nothing.
/// </summary>
internal static class UnknownFields
{
    /// <summary>Sections that are free-form or server-owned and not checked.</summary>
    private static readonly HashSet<string> Unchecked = ["metadata", "status"];

    public static IEnumerable<string> Find(Type type, JsonObject document) =>
        Walk(type, document, "").Where(path => !Unchecked.Contains(path.Split('.', '[')[0]));

    private static IEnumerable<string> Walk(Type type, JsonNode? node, string path)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (node is JsonArray array && type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            var itemType = type.GetGenericArguments()[0];
            for (var i = 0; i < array.Count; i++)
            {
                foreach (var unknown in Walk(itemType, array[i], $"{path}[{i}]"))
                {
                    yield return unknown;
                }
            }

            yield break;
        }

        if (node is not JsonObject obj || !type.IsClass || type == typeof(string) ||
            (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>)))
        {
            yield break;
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is not null && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .ToDictionary(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()!.Name);
        foreach (var (name, value) in obj)
        {
            var childPath = path.Length == 0 ? name : path + "." + name;
            if (!properties.TryGetValue(name, out var property))
            {
                yield return childPath;
                continue;
            }

            if (property.PropertyType == typeof(System.Text.Json.JsonElement) || property.PropertyType == typeof(System.Text.Json.JsonElement?))
            {
                continue;
            }

            foreach (var unknown in Walk(property.PropertyType, value, childPath))
            {
                yield return unknown;
            }
        }
    }
}
