using System.Text.Json;
using Tabby.Datastore.Store;
using Xunit;

namespace Tabby.Datastore.Tests.Store;

public sealed class SelectorTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web", ["tier"] = "front", ["env"] = "prod" };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web", true)]
    [InlineData("app!=web", false)]
    [InlineData("app=web,tier=back", false)]
    [InlineData("env in (prod,staging)", true)]
    [InlineData("env notin (prod)", false)]
    [InlineData("env in (dev, prod),app", true)]
    [InlineData("!legacy", true)]
    [InlineData("legacy", false)]
    [InlineData("missing!=x", true)]
    public void Label_selectors(string selector, bool expected) => Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Labels));

    [Fact]
    public void Bad_label_key_is_an_error() =>
        Assert.Throws<FormatException>(() => LabelSelector.Parse("a b=c"));

    [Theory]
    [InlineData("metadata.name=web", true)]
    [InlineData("metadata.name!=web", false)]
    [InlineData("spec.nodeName=node-1,metadata.namespace=default", true)]
    [InlineData("spec.missing=", true)]
    [InlineData("spec.hostNetwork=true", true)]
    public void Field_selectors(string selector, bool expected)
    {
        using var doc = JsonDocument.Parse("""{"metadata":{"name":"web","namespace":"default"},"spec":{"nodeName":"node-1","hostNetwork":true}}""");
        Assert.Equal(expected, FieldSelector.Parse(selector).Matches(doc.RootElement));
    }
}
