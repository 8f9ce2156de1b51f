using System.Text.Json.Nodes;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Serialization;
using Xunit;

namespace Tabby.Datastore.Tests.Resources;

/// <summary>
/// deploy/crds is generated from the model; these tests fail when it is stale. Regenerate with
/// <c>TABBY_UPDATE_CRDS=1 dotnet test tests/Tabby.Datastore.Tests --filter CrdGenerator</c>.
/// </summary>
public sealed class CrdGeneratorTests
{
    private static string CrdDirectory => Path.Combine(RepositoryPaths.Root, "deploy", "crds");

    public static TheoryData<string> Kinds() => new(CrdGenerator.CrdKinds.Select(k => k.Plural));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Checked_in_manifest_is_current(string plural)
    {
        var kind = CrdGenerator.CrdKinds.Single(k => k.Plural == plural);
        var path = Path.Combine(CrdDirectory, CrdGenerator.FileName(kind));
        var expected = CrdGenerator.GenerateYaml(kind);
        if (Environment.GetEnvironmentVariable("TABBY_UPDATE_CRDS") == "1")
        {
            Directory.CreateDirectory(CrdDirectory);
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), $"{path} is missing; regenerate with TABBY_UPDATE_CRDS=1");
        Assert.Equal(expected, File.ReadAllText(path));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Manifest_is_structural_and_reads_back(string plural)
    {
        var kind = CrdGenerator.CrdKinds.Single(k => k.Plural == plural);
        var generated = CrdGenerator.Generate(kind);
        var parsed = Assert.Single(YamlJson.ParseDocuments(CrdGenerator.GenerateYaml(kind)));
        Assert.True(JsonNode.DeepEquals(generated, parsed), "YAML does not read back as the generated JSON");

        var schema = generated["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!;
        AssertStructural(schema, "openAPIV3Schema");
        Assert.Equal(kind.Namespaced ? "Namespaced" : "Cluster", generated["spec"]!["scope"]!.GetValue<string>());
        Assert.NotEmpty(generated["spec"]!["versions"]![0]!["additionalPrinterColumns"]!.AsArray());
    }

    [Fact]
    public void Ipam_block_schema_has_nullable_allocations_and_snake_case_attributes()
    {
        var spec = CrdGenerator.Generate(ResourceKinds.IPAMBlocks)["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!;
        Assert.Equal("integer", spec["properties"]!["allocations"]!["items"]!["type"]!.GetValue<string>());
        Assert.True(spec["properties"]!["allocations"]!["items"]!["nullable"]!.GetValue<bool>());
        Assert.NotNull(spec["properties"]!["attributes"]!["items"]!["properties"]!["handle_id"]);
        Assert.Equal("string", CrdGenerator.Generate(ResourceKinds.BlockAffinities)["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!
            ["properties"]!["spec"]!["properties"]!["deleted"]!["type"]!.GetValue<string>());
    }

    /// <summary>Every schema node says its type, or is int-or-string, or explicitly keeps unknown fields.</summary>
    private static void AssertStructural(JsonNode node, string path)
    {
        var obj = node.AsObject();
        Assert.True(obj.ContainsKey("type") || obj.ContainsKey("x-kubernetes-int-or-string") || obj.ContainsKey("x-kubernetes-preserve-unknown-fields"),
            $"{path} has no type");
        if (obj["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                AssertStructural(child!, path + "." + name);
            }
        }

        if (obj["items"] is { } items)
        {
            AssertStructural(items, path + "[]");
        }

        if (obj["additionalProperties"] is JsonObject additional)
        {
            AssertStructural(additional, path + "{}");
        }
    }
}
