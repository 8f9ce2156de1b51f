using System.Text;

namespace Tabby.Felix.Policy.Selectors;

/// <summary>
/// A parsed Calico label selector (<c>app == 'web' &amp;&amp; has(tier)</c>). Immutable; equal selectors
/// have equal <see cref="Canonical"/> text, which the calculation uses to share one IP set between
/// every rule that uses the same expression.
/// </summary>
public sealed class Selector : IEquatable<Selector>
{
    /// <summary>Matches everything (<c>all()</c>, also what an empty selector means).</summary>
    public static readonly Selector All = new(new AllNode());

    private Selector(SelectorNode root)
    {
        Root = root;
        var text = new StringBuilder();
        root.Write(text);
        Canonical = text.ToString();
    }

    internal SelectorNode Root { get; }

    /// <summary>Normalized text: one space around operators, double-quoted values, full parentheses.</summary>
    public string Canonical { get; }

    /// <summary>True when the selector is <c>all()</c> (the empty selector included).</summary>
    public bool IsAll => Root is AllNode;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="SelectorSyntaxException"/> with the position.</summary>
    public static Selector Parse(string? text) =>
        string.IsNullOrWhiteSpace(text) ? All : new Selector(SelectorParser.ParseExpression(text));

    internal static Selector FromNode(SelectorNode node) => node is AllNode ? All : new Selector(node);

    /// <summary>Evaluates the selector against one label set.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels) => Root.Matches(labels);

    public bool Equals(Selector? other) => other is not null && string.Equals(Canonical, other.Canonical, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Selector);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Canonical);

    public override string ToString() => Canonical;
}
