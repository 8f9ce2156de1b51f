using System.Text.Json;

namespace Tabby.Datastore.Store;

/// <summary>
/// A Kubernetes field selector (<c>metadata.name=x,spec.nodeName!=y</c>), evaluated on the
/// object's JSON by the etcd and embedded backends. A missing field compares as the empty string,
/// as in the API server.
/// </summary>
public sealed class FieldSelector
{
    private readonly IReadOnlyList<(string[] Path, bool Equal, string Value)> _terms;

    private FieldSelector(IReadOnlyList<(string[] Path, bool Equal, string Value)> terms) => _terms = terms;

    public bool IsEverything => _terms.Count == 0;

    public static FieldSelector Parse(string? text)
    {
        var terms = new List<(string[], bool, string)>();
        if (!string.IsNullOrWhiteSpace(text))
        {
            foreach (var raw in text.Split(','))
            {
                var part = raw.Trim();
                var (at, len, equal) = part.IndexOf("!=", StringComparison.Ordinal) is var ne and > 0 ? (ne, 2, false)
                    : part.IndexOf("==", StringComparison.Ordinal) is var ee and > 0 ? (ee, 2, true)
                    : part.IndexOf('=', StringComparison.Ordinal) is var e and > 0 ? (e, 1, true)
                    : throw new FormatException($"field selector \"{text}\": \"{part}\" is not field=value or field!=value");
                terms.Add((part[..at].Trim().Split('.'), equal, part[(at + len)..].Trim()));
            }
        }

        return new FieldSelector(terms);
    }

    public bool Matches(JsonElement obj)
    {
        foreach (var (path, equal, value) in _terms)
        {
            var actual = Lookup(obj, path);
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }

    private static string Lookup(JsonElement element, string[] path)
    {
        foreach (var segment in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
            {
                return "";
            }
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!,
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            _ => element.GetRawText(),
        };
    }
}
