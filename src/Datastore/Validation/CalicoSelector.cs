using System.Text;

namespace Tabby.Datastore.Validation;

/// <summary>
/// A parsed Calico label selector (<c>app == 'web' &amp;&amp; has(tier)</c>): <c>==</c>, <c>!=</c>,
/// <c>in {..}</c>, <c>not in {..}</c>, <c>contains</c>, <c>starts with</c>, <c>ends with</c>,
/// <c>has(k)</c>, <c>!</c>, <c>all()</c>, <c>global()</c>, <c>&amp;&amp;</c>, <c>||</c>, parentheses,
/// single- or double-quoted strings; an empty selector selects everything. The one implementation
/// for resource validation, IP pool node and namespace selectors, and network policy. Syntax errors
/// (<see cref="SelectorSyntaxException"/>) give the position and what was expected there.
/// Immutable; equal selectors have equal <see cref="Canonical"/> text, which the policy calculation
/// uses to share one IP set between every rule that uses the same expression.
/// </summary>
public sealed class CalicoSelector : IEquatable<CalicoSelector>
{
    /// <summary>Matches everything (<c>all()</c>, also what an empty selector means).</summary>
    public static readonly CalicoSelector All = new(new AllNode());

    private CalicoSelector(CalicoSelectorNode root)
    {
        Root = root;
        var text = new StringBuilder();
        root.Write(text);
        Canonical = text.ToString();
    }

    internal CalicoSelectorNode Root { get; }

    /// <summary>Normalized text: one space around operators, double-quoted values, full parentheses.</summary>
    public string Canonical { get; }

    /// <summary>True when the selector is <c>all()</c> (the empty selector included).</summary>
    public bool IsAll => Root is AllNode;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="SelectorSyntaxException"/> with the position.</summary>
    public static CalicoSelector Parse(string? text) =>
        string.IsNullOrWhiteSpace(text) ? All : new CalicoSelector(CalicoSelectorParser.ParseExpression(text));

    internal static CalicoSelector FromNode(CalicoSelectorNode node) => node is AllNode ? All : new CalicoSelector(node);

    /// <summary>
    /// Evaluates the selector against the labels of a namespaced resource (a workload endpoint, a
    /// pod): <c>global()</c> matches none of them.
    /// </summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels) => Root.Matches(labels, namespaced: true);

    /// <summary>
    /// Evaluates the selector against the labels of a non-namespaced resource (a node, a namespace,
    /// a host endpoint): <c>global()</c> matches all of them. Null labels are no labels.
    /// </summary>
    public bool MatchesGlobal(IReadOnlyDictionary<string, string>? labels) => Root.Matches(labels ?? NoLabels, namespaced: false);

    private static readonly Dictionary<string, string> NoLabels = [];

    /// <summary>Parses <paramref name="text"/> without throwing; <paramref name="error"/> says where and what was expected.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CalicoSelector? selector,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        try
        {
            selector = Parse(text);
            error = null;
            return true;
        }
        catch (SelectorSyntaxException e)
        {
            selector = null;
            error = e.Message;
            return false;
        }
    }

    public bool Equals(CalicoSelector? other) => other is not null && string.Equals(Canonical, other.Canonical, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as CalicoSelector);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Canonical);

    public override string ToString() => Canonical;
}
