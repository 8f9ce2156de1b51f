using System.Text;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Felix.Policy.Model;
using Tabby.Datastore.Validation;

namespace Tabby.Felix.Policy.Conversion;

/// <summary>
/// Kubernetes metav1.LabelSelector to a selector: matchLabels and matchExpressions are ANDed;
/// In / NotIn / Exists / DoesNotExist map to <c>in</c>, <c>not in</c> (which, like Kubernetes'
/// NotIn, matches a missing key), <c>has()</c>, <c>!has()</c>. An empty selector selects everything.
/// </summary>
public static class LabelSelectorConverter
{
    public static CalicoSelector Convert(LabelSelectorSpec? spec, string field)
    {
        if (spec is null)
        {
            return CalicoSelector.All;
        }

        var terms = new List<string>();
        foreach (var (key, value) in (spec.MatchLabels ?? []).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            ValidateKey(key, $"{field}.matchLabels");
            terms.Add($"{key} == {Quote(value, $"{field}.matchLabels[{key}]")}");
        }

        var expressions = spec.MatchExpressions ?? [];
        for (var i = 0; i < expressions.Count; i++)
        {
            var e = expressions[i];
            var at = $"{field}.matchExpressions[{i}]";
            ValidateKey(e.Key, $"{at}.key");
            var values = e.Values ?? [];
            switch (e.Operator)
            {
                case "In" or "NotIn":
                    if (values.Count == 0)
                    {
                        throw new PolicyValidationException($"{at}.values", $"operator {e.Operator} needs at least one value");
                    }

                    var set = string.Join(", ", values.Select((v, j) => Quote(v, $"{at}.values[{j}]")));
                    terms.Add($"{e.Key} {(e.Operator == "In" ? "in" : "not in")} {{{set}}}");
                    break;
                case "Exists" or "DoesNotExist":
                    if (values.Count != 0)
                    {
                        throw new PolicyValidationException($"{at}.values", $"operator {e.Operator} takes no values");
                    }

                    terms.Add(e.Operator == "Exists" ? $"has({e.Key})" : $"!has({e.Key})");
                    break;
                default:
                    throw new PolicyValidationException($"{at}.operator", $"\"{e.Operator}\" is not In, NotIn, Exists or DoesNotExist");
            }
        }

        return terms.Count == 0 ? CalicoSelector.All : CalicoSelector.Parse(string.Join(" && ", terms));
    }

    /// <summary>Label values (RFC 1123-ish, at most 63 characters) never hold quotes; checked so the selector text stays unambiguous.</summary>
    private static string Quote(string value, string field)
    {
        if (value.Length > 63 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new PolicyValidationException(field, $"\"{value}\" is not a valid label value");
        }

        return new StringBuilder().Append('\'').Append(value).Append('\'').ToString();
    }

    private static void ValidateKey(string key, string field)
    {
        if (key.Length is 0 or > 317 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/'))
        {
            throw new PolicyValidationException(field, $"\"{key}\" is not a valid label key");
        }
    }
}
