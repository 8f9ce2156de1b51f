using System.Text.Json.Nodes;
using Tabby.Datastore.Serialization;
using Xunit;

namespace Tabby.Datastore.Tests.Serialization;

public sealed class YamlJsonTests
{
    [Fact]
    public void Scalars_follow_the_core_schema()
    {
        var doc = Assert.Single(YamlJson.ParseDocuments("""
            a: 64512
            b: "64512"
            c: true
            d: 'false'
            e: ~
            f: 10.0.0.0/16
            g: 64512:100
            h: 1.5
            i: all()
            """))!.AsObject();
        Assert.Equal(64512, doc["a"]!.GetValue<long>());
        Assert.Equal("64512", doc["b"]!.GetValue<string>());
        Assert.True(doc["c"]!.GetValue<bool>());
        Assert.Equal("false", doc["d"]!.GetValue<string>());
        Assert.Null(doc["e"]);
        Assert.Equal("10.0.0.0/16", doc["f"]!.GetValue<string>());
        Assert.Equal("64512:100", doc["g"]!.GetValue<string>());
        Assert.Equal(1.5, doc["h"]!.GetValue<double>());
        Assert.Equal("all()", doc["i"]!.GetValue<string>());
    }

    [Fact]
    public void Multiple_documents()
    {
        var docs = YamlJson.ParseDocuments("a: 1\n---\nb: 2\n---\n{\"c\": [1, 2]}\n");
        Assert.Equal(3, docs.Count);
        Assert.Equal(2, docs[2]!["c"]!.AsArray().Count);
    }

    [Fact]
    public void Writes_yaml_that_reads_back_the_same()
    {
        var original = JsonNode.Parse("""
            {"apiVersion":"projectcalico.org/v3","kind":"BGPPeer","metadata":{"name":"tor","labels":{"a/b":"x"}},
             "spec":{"peerIP":"192.0.2.1:179","asNumber":64512,"keep":"true","num":"42","empty":"","list":[{"x":1,"y":[]},"s: t","- dash"],
                     "nested":{"deep":{}},"selector":"rack == 'a' && has(x)","nothing":null,"multi":"a\nb"}}
            """);
        var yaml = YamlJson.ToYaml(original);
        Assert.Contains("  peerIP: \"192.0.2.1:179\"\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  asNumber: 64512\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  keep: \"true\"\n", yaml, StringComparison.Ordinal);
        var back = Assert.Single(YamlJson.ParseDocuments(yaml));
        Assert.True(JsonNode.DeepEquals(original, back), yaml);
    }

    [Fact]
    public void Syntax_errors_give_the_line() =>
        Assert.Contains("line 2", Assert.Throws<FormatException>(() => YamlJson.ParseDocuments("a: 1\n b: [\n")).Message, StringComparison.Ordinal);
}
