using Tabby.Datastore.Validation;
using Xunit;

namespace Tabby.Datastore.Tests.Validation;

/// <summary>The one Calico selector implementation: truth table of every operator, global() on
/// namespaced and non-namespaced resources, errors with position and expectation, canonical form.</summary>
public sealed class CalicoSelectorTests
{
    private static readonly Dictionary<string, string> Web = new()
    {
        ["app"] = "web",
        ["tier"] = "frontend",
        ["app.kubernetes.io/name"] = "shop-web",
    };

    private static readonly Dictionary<string, string> Node = new()
    {
        ["rack"] = "r1",
        ["zone"] = "eu-west-1a",
        ["route-reflector"] = "true",
        ["kubernetes.io/hostname"] = "node-1",
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("all()", true)]
    [InlineData("global()", false)] // a workload endpoint is namespaced
    [InlineData("app == 'web'", true)]
    [InlineData("app == \"web\"", true)]
    [InlineData("app == 'db'", false)]
    [InlineData("app != 'db'", true)]
    [InlineData("missing != 'x'", true)] // a missing label is "not equal"
    [InlineData("missing == ''", false)]
    [InlineData("has(tier)", true)]
    [InlineData("has(missing)", false)]
    [InlineData("!has(missing)", true)]
    [InlineData("app in {'web', 'api'}", true)]
    [InlineData("app in {}", false)]
    [InlineData("app not in {'web'}", false)]
    [InlineData("missing not in {'web'}", true)] // a missing label is "not in" any set
    [InlineData("missing in {'web'}", false)]
    [InlineData("app.kubernetes.io/name contains 'op-w'", true)]
    [InlineData("app.kubernetes.io/name starts with 'shop'", true)]
    [InlineData("app.kubernetes.io/name ends with 'web'", true)]
    [InlineData("app.kubernetes.io/name ends with 'shop'", false)]
    [InlineData("missing contains ''", false)]
    [InlineData("app == 'web' && tier == 'frontend'", true)]
    [InlineData("app == 'web' && tier == 'backend'", false)]
    [InlineData("app == 'db' || tier == 'frontend'", true)]
    [InlineData("app == 'db' || tier == 'backend' || has(app)", true)]
    [InlineData("!(app == 'web')", false)]
    [InlineData("!app == 'web'", false)]
    [InlineData("app == 'db' || app == 'web' && tier == 'backend'", false)] // && binds tighter
    [InlineData("(app == 'db' || app == 'web') && tier == 'frontend'", true)]
    [InlineData("  app   ==   'web'  ", true)]
    [InlineData("all() && !global()", true)]
    public void EvaluatesOnANamespacedResource(string selector, bool expected) =>
        Assert.Equal(expected, CalicoSelector.Parse(selector).Matches(Web));

    /// <summary>IP pool node selectors: nodes are not namespaced, so global() matches them.</summary>
    [Theory]
    [InlineData("", true)]
    [InlineData("all()", true)]
    [InlineData("global()", true)]
    [InlineData("!global()", false)]
    [InlineData("rack == 'r1'", true)]
    [InlineData("rack == \"r2\"", false)]
    [InlineData("rack != 'r2'", true)]
    [InlineData("has(rack)", true)]
    [InlineData("!has(rack)", false)]
    [InlineData("rack in {'r1', 'r2'}", true)]
    [InlineData("rack not in {'r1'}", false)]
    [InlineData("zone starts with 'eu-'", true)]
    [InlineData("zone ends with '1a'", true)]
    [InlineData("zone contains 'west'", true)]
    [InlineData("rack == 'r1' && route-reflector == 'true'", true)]
    [InlineData("rack == 'r2' || kubernetes.io/hostname == 'node-1'", true)]
    [InlineData("!(rack == 'r1' && zone == 'x')", true)]
    [InlineData("(rack == 'r2' || rack == 'r3') && has(zone)", false)]
    public void EvaluatesOnANonNamespacedResource(string selector, bool expected) =>
        Assert.Equal(expected, CalicoSelector.Parse(selector).MatchesGlobal(Node));

    [Fact]
    public void NullLabelsAreNoLabels()
    {
        Assert.True(CalicoSelector.Parse("missing != 'x'").MatchesGlobal(null));
        Assert.False(CalicoSelector.Parse("has(rack)").MatchesGlobal(null));
    }

    [Theory]
    [InlineData("app == web", 7, "a quoted string")]
    [InlineData("app = 'web'", 4, "an operator after label key 'app'")]
    [InlineData("app == 'web", 7, "a closing ' for the string started here")]
    [InlineData("app == 'web' &&", 15, "a label key")]
    [InlineData("app == 'web' & tier == 'x'", 13, "'&&', '||' or the end of the selector")]
    [InlineData("(app == 'web'", 13, "')'")]
    [InlineData("has(app", 7, "')' after the label key of has(")]
    [InlineData("has()", 4, "a label key inside has()")]
    [InlineData("app in {'a' 'b'}", 12, "',' or '}' in a set of values")]
    [InlineData("app in 'a'", 7, "'{' to start a set of values")]
    [InlineData("app not {'a'}", 8, "'in' after 'not'")]
    [InlineData("app starts 'a'", 11, "'with' after 'starts'")]
    [InlineData("foo()", 0, "a label key followed by an operator")]
    [InlineData("==", 0, "a label key")]
    [InlineData("app == 'a' )", 11, "'&&', '||' or the end of the selector")]
    public void ReportsPositionAndExpectation(string selector, int position, string expected)
    {
        var error = Assert.Throws<SelectorSyntaxException>(() => CalicoSelector.Parse(selector));
        Assert.Equal(position, error.Position);
        Assert.StartsWith(expected, error.Expected, StringComparison.Ordinal);
        Assert.Contains($"at position {position}", error.Message, StringComparison.Ordinal);

        Assert.False(CalicoSelector.TryParse(selector, out var parsed, out var message));
        Assert.Null(parsed);
        Assert.Equal(error.Message, message);
    }

    [Fact]
    public void TryParseAcceptsValidAndEmptySelectors()
    {
        Assert.True(CalicoSelector.TryParse("rack == 'r1'", out var parsed, out var error));
        Assert.Null(error);
        Assert.True(parsed.MatchesGlobal(Node));
        Assert.True(CalicoSelector.TryParse(null, out var empty, out _));
        Assert.True(empty.IsAll);
    }

    [Theory]
    [InlineData("app=='web'", "app == \"web\"")]
    [InlineData("a == 'x' && b == 'y' && c == 'z'", "(a == \"x\" && b == \"y\" && c == \"z\")")]
    [InlineData("k in {'b','a','b'}", "k in {\"a\", \"b\"}")]
    [InlineData("!has(x)", "!(has(x))")]
    [InlineData("", "all()")]
    public void CanonicalFormIsStable(string selector, string canonical)
    {
        var parsed = CalicoSelector.Parse(selector);
        Assert.Equal(canonical, parsed.Canonical);
        Assert.Equal(parsed, CalicoSelector.Parse(parsed.Canonical)); // the canonical text parses to itself
    }
}
