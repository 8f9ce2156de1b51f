using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Tabby.Testing.KubeApi;

/// <summary>
/// labelSelector and fieldSelector as the API server evaluates them (an independent implementation
/// from Tabby's, so the client is tested against the server's reading, not its own).
/// </summary>
internal static partial class KubeSelectors
{
    public static Func<JsonObject, bool> Compile(string? labelSelector, string? fieldSelector)
    {
        var labels = ParseLabels(labelSelector);
        var fields = ParseFields(fieldSelector);
        return obj =>
        {
            var objectLabels = obj["metadata"]?["labels"] as JsonObject;
            foreach (var test in labels)
            {
                if (!test(objectLabels))
                {
                    return false;
                }
            }

            foreach (var (path, equal, value) in fields)
            {
                JsonNode? node = obj;
                foreach (var segment in path)
                {
                    node = (node as JsonObject)?[segment];
                }

                var actual = node is JsonValue v ? (v.TryGetValue<string>(out var s) ? s : v.ToJsonString()) : "";
                if ((actual == value) != equal)
                {
                    return false;
                }
            }

            return true;
        };
    }

    private static List<Func<JsonObject?, bool>> ParseLabels(string? selector)
    {
        var tests = new List<Func<JsonObject?, bool>>();
        if (string.IsNullOrWhiteSpace(selector))
        {
            return tests;
        }

        foreach (Match m in Requirement().Matches(selector))
        {
            var text = m.Value.Trim().TrimEnd(',').Trim();
            if (text.Length == 0)
            {
                continue;
            }

            string? Get(JsonObject? labels, string key) => labels?[key]?.GetValue<string>();
            Match set;
            if (text.StartsWith('!'))
            {
                var key = text[1..].Trim();
                tests.Add(l => Get(l, key) is null);
            }
            else if ((set = SetRequirement().Match(text)).Success)
            {
                var key = set.Groups[1].Value;
                var values = set.Groups[3].Value.Split(',').Select(x => x.Trim()).ToHashSet();
                var notIn = set.Groups[2].Value == "notin";
                tests.Add(l => Get(l, key) is { } v ? values.Contains(v) != notIn : notIn);
            }
            else if (text.Contains("!=", StringComparison.Ordinal))
            {
                var parts = text.Split("!=", 2);
                tests.Add(l => Get(l, parts[0].Trim()) != parts[1].Trim());
            }
            else if (text.Contains('=', StringComparison.Ordinal))
            {
                var parts = text.Replace("==", "=", StringComparison.Ordinal).Split('=', 2);
                tests.Add(l => Get(l, parts[0].Trim()) == parts[1].Trim());
            }
            else
            {
                tests.Add(l => Get(l, text) is not null);
            }
        }

        return tests;
    }

    private static List<(string[] Path, bool Equal, string Value)> ParseFields(string? selector)
    {
        var terms = new List<(string[], bool, string)>();
        if (string.IsNullOrWhiteSpace(selector))
        {
            return terms;
        }

        foreach (var part in selector.Split(','))
        {
            var notEqual = part.Contains("!=", StringComparison.Ordinal);
            var pieces = notEqual ? part.Split("!=", 2) : part.Replace("==", "=", StringComparison.Ordinal).Split('=', 2);
            if (pieces.Length != 2)
            {
                throw KubeStatusException.BadRequest($"invalid field selector \"{selector}\"");
            }

            terms.Add((pieces[0].Trim().Split('.'), !notEqual, pieces[1].Trim()));
        }

        return terms;
    }

    /// <summary>One comma-separated requirement; commas inside "in (a,b)" do not split.</summary>
    [GeneratedRegex(@"[^,(]+(\([^)]*\))?\s*(,|$)")]
    private static partial Regex Requirement();

    [GeneratedRegex(@"^(\S+)\s+(in|notin)\s*\((.*)\)$")]
    private static partial Regex SetRequirement();
}
