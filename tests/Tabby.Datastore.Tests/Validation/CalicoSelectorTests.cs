using Tabby.Datastore.Validation;
using Xunit;

namespace Tabby.Datastore.Tests.Validation;

public sealed class CalicoSelectorTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["rack"] = "r1",
        ["zone"] = "eu-west-1a",
        ["route-reflector"] = "true",
        ["kubernetes.io/hostname"] = "node-1",
    };

    [Theory]
    [InlineData("", true)]
    [InlineData("all()", true)]
    [InlineData("global()", true)]
    [InlineData("rack == 'r1'", true)]
    [InlineData("rack == \"r2\"", false)]
    [InlineData("rack != 'r2'", true)]
    [InlineData("missing != 'x'", true)]
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
    public void Evaluates(string selector, bool expected) => Assert.Equal(expected, CalicoSelector.Parse(selector).Matches(Labels));

    [Theory]
    [InlineData("rack = 'r1'", "expected an operator after label \"rack\"")]
    [InlineData("rack == r1", "expected a quoted string at position 8")]
    [InlineData("rack == 'r1", "unterminated string")]
    [InlineData("(rack == 'r1'", "expected \")\" at position 13 (end)")]
    [InlineData("rack in {'a' 'b'}", "expected \"}\" at position 13")]
    [InlineData("has(rack", "expected \")\"")]
    public void Errors_say_where(string selector, string expected)
    {
        var error = Assert.Throws<FormatException>(() => CalicoSelector.Parse(selector));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
