using System.Text;

namespace Tabby.Datastore.Validation;

/// <summary>One node of a parsed selector; each operator of the language is one subclass.</summary>
internal abstract class CalicoSelectorNode
{
    /// <summary>Evaluates against the labels of a resource; <paramref name="namespaced"/> says whether
    /// it is a namespaced one (a workload endpoint) or not (a node, a host endpoint), for <c>global()</c>.</summary>
    public abstract bool Matches(IReadOnlyDictionary<string, string> labels, bool namespaced);

    public abstract void Write(StringBuilder text);

    protected static void WriteQuoted(StringBuilder text, string value) =>
        text.Append('"').Append(value.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
}

internal sealed class AllNode : CalicoSelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels, bool namespaced) => true;

    public override void Write(StringBuilder text) => text.Append("all()");
}

/// <summary>
/// <c>global()</c>: matches non-namespaced resources (nodes, host endpoints, global network sets),
/// never a namespaced one such as a workload endpoint.
/// </summary>
internal sealed class GlobalNode : CalicoSelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels, bool namespaced) => !namespaced;

    public override void Write(StringBuilder text) => text.Append("global()");
}

internal sealed class HasNode(string key) : CalicoSelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels, bool namespaced) => labels.ContainsKey(key);

    public override void Write(StringBuilder text) => text.Append("has(").Append(key).Append(')');
}

/// <summary>Comparisons of one label against a string. A missing label never equals, contains,
/// starts or ends with anything; so <c>!=</c> matches when the label is missing (Calico semantics).</summary>
internal sealed class CompareNode(string key, CompareOperator op, string value) : CalicoSelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels, bool namespaced)
    {
        var present = labels.TryGetValue(key, out var actual);
        return op switch
        {
            CompareOperator.Equal => present && string.Equals(actual, value, StringComparison.Ordinal),
            CompareOperator.NotEqual => !present || !string.Equals(actual, value, StringComparison.Ordinal),
            CompareOperator.Contains => present && actual!.Contains(value, StringComparison.Ordinal),
            CompareOperator.StartsWith => present && actual!.StartsWith(value, StringComparison.Ordinal),
            CompareOperator.EndsWith => present && actual!.EndsWith(value, StringComparison.Ordinal),
            _ => throw new InvalidOperationException($"unknown operator {op}"),
        };
    }

    public override void Write(StringBuilder text)
    {
        text.Append(key).Append(op switch
        {
            CompareOperator.Equal => " == ",
            CompareOperator.NotEqual => " != ",
            CompareOperator.Contains => " contains ",
            CompareOperator.StartsWith => " starts with ",
            _ => " ends with ",
        });
        WriteQuoted(text, value);
    }
}

internal enum CompareOperator
{
    Equal,
    NotEqual,
    Contains,
    StartsWith,
    EndsWith,
}

/// <summary><c>k in {..}</c> and <c>k not in {..}</c>; <c>not in</c> matches a missing label.</summary>
internal sealed class SetNode(string key, IReadOnlyList<string> values, bool negated) : CalicoSelectorNode
{
    private readonly HashSet<string> _values = new(values, StringComparer.Ordinal);

    public override bool Matches(IReadOnlyDictionary<string, string> labels, bool namespaced)
    {
        var inSet = labels.TryGetValue(key, out var actual) && _values.Contains(actual);
        return inSet != negated;
    }

    public override void Write(StringBuilder text)
    {
        text.Append(key).Append(negated ? " not in {" : " in {");
        var first = true;
        foreach (var v in _values.Order(StringComparer.Ordinal))
        {
            if (!first)
            {
                text.Append(", ");
            }

            WriteQuoted(text, v);
            first = false;
        }

        text.Append('}');
    }
}

internal sealed class NotNode(CalicoSelectorNode operand) : CalicoSelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels, bool namespaced) => !operand.Matches(labels, namespaced);

    public override void Write(StringBuilder text)
    {
        text.Append("!(");
        operand.Write(text);
        text.Append(')');
    }
}

internal sealed class AndNode(IReadOnlyList<CalicoSelectorNode> operands) : CalicoSelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels, bool namespaced)
    {
        foreach (var o in operands)
        {
            if (!o.Matches(labels, namespaced))
            {
                return false;
            }
        }

        return true;
    }

    public override void Write(StringBuilder text) => WriteJoined(text, operands, " && ");

    internal static void WriteJoined(StringBuilder text, IReadOnlyList<CalicoSelectorNode> operands, string separator)
    {
        text.Append('(');
        for (var i = 0; i < operands.Count; i++)
        {
            if (i > 0)
            {
                text.Append(separator);
            }

            operands[i].Write(text);
        }

        text.Append(')');
    }
}

internal sealed class OrNode(IReadOnlyList<CalicoSelectorNode> operands) : CalicoSelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels, bool namespaced)
    {
        foreach (var o in operands)
        {
            if (o.Matches(labels, namespaced))
            {
                return true;
            }
        }

        return false;
    }

    public override void Write(StringBuilder text) => AndNode.WriteJoined(text, operands, " || ");
}
