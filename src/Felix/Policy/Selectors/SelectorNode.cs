using System.Text;

namespace Tabby.Felix.Policy.Selectors;

/// <summary>One node of a parsed selector; each operator of the language is one subclass.</summary>
internal abstract class SelectorNode
{
    public abstract bool Matches(IReadOnlyDictionary<string, string> labels);

    public abstract void Write(StringBuilder text);

    protected static void WriteQuoted(StringBuilder text, string value) =>
        text.Append('"').Append(value.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
}

internal sealed class AllNode : SelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels) => true;

    public override void Write(StringBuilder text) => text.Append("all()");
}

/// <summary>
/// <c>global()</c>: matches non-namespaced entities (host endpoints, global network sets). Every
/// endpoint Tabby tracks is a namespaced workload, so it matches none of them.
/// </summary>
internal sealed class GlobalNode : SelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels) => false;

    public override void Write(StringBuilder text) => text.Append("global()");
}

internal sealed class HasNode(string key) : SelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels) => labels.ContainsKey(key);

    public override void Write(StringBuilder text) => text.Append("has(").Append(key).Append(')');
}

/// <summary>Comparisons of one label against a string. A missing label never equals, contains,
/// starts or ends with anything; so <c>!=</c> matches when the label is missing (Calico semantics).</summary>
internal sealed class CompareNode(string key, CompareOperator op, string value) : SelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels)
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
internal sealed class SetNode(string key, IReadOnlyList<string> values, bool negated) : SelectorNode
{
    private readonly HashSet<string> _values = new(values, StringComparer.Ordinal);

    public override bool Matches(IReadOnlyDictionary<string, string> labels)
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

internal sealed class NotNode(SelectorNode operand) : SelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels) => !operand.Matches(labels);

    public override void Write(StringBuilder text)
    {
        text.Append("!(");
        operand.Write(text);
        text.Append(')');
    }
}

internal sealed class AndNode(IReadOnlyList<SelectorNode> operands) : SelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var o in operands)
        {
            if (!o.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    public override void Write(StringBuilder text) => WriteJoined(text, operands, " && ");

    internal static void WriteJoined(StringBuilder text, IReadOnlyList<SelectorNode> operands, string separator)
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

internal sealed class OrNode(IReadOnlyList<SelectorNode> operands) : SelectorNode
{
    public override bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var o in operands)
        {
            if (o.Matches(labels))
            {
                return true;
            }
        }

        return false;
    }

    public override void Write(StringBuilder text) => AndNode.WriteJoined(text, operands, " || ");
}
