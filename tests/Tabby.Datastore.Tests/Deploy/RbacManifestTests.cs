using System.Text.Json.Nodes;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Serialization;
using Xunit;

namespace Tabby.Datastore.Tests.Deploy;

/// <summary>The agent's RBAC grants every CRD it needs, with listed verbs only (no wildcards).</summary>
public sealed class RbacManifestTests
{
    private static IReadOnlyList<JsonObject> Documents(string file) =>
        YamlJson.ParseDocuments(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "deploy", "rbac", file))).Select(d => d!.AsObject()).ToList();

    private static IEnumerable<(string Group, string Resource, string[] Verbs)> Grants(JsonObject role) =>
        role["rules"]!.AsArray().SelectMany(rule =>
            rule!["apiGroups"]!.AsArray().SelectMany(g => rule["resources"]!.AsArray().Select(r =>
                (g!.GetValue<string>(), r!.GetValue<string>(), rule["verbs"]!.AsArray().Select(v => v!.GetValue<string>()).ToArray()))));

    [Fact]
    public void Node_role_covers_every_crd_without_wildcards()
    {
        var role = Documents("tabby-node.yaml").Single(d => d["kind"]!.GetValue<string>() == "ClusterRole");
        var grants = Grants(role).ToList();
        Assert.DoesNotContain(grants, g => g.Resource == "*" || g.Verbs.Contains("*") || g.Group == "*");
        foreach (var kind in CrdGenerator.CrdKinds)
        {
            Assert.Contains(grants, g => g.Group == kind.Group && g.Resource == kind.Plural && g.Verbs.Contains("watch"));
        }

        // Writes only where the agent writes: IPAM state, default pools, its Node's annotations, status reports.
        var writable = grants.Where(g => g.Verbs.Intersect(["create", "update", "patch", "delete"]).Any()).Select(g => g.Resource).ToHashSet();
        Assert.Equal(["blockaffinities", "caliconodestatuses", "caliconodestatuses/status", "ipamblocks", "ipamhandles", "ippools", "nodes"], writable.Order());
        Assert.DoesNotContain(grants, g => g.Resource == "secrets");
    }

    [Fact]
    public void Secrets_only_in_the_agent_namespace()
    {
        var role = Documents("tabby-node.yaml").Single(d => d["kind"]!.GetValue<string>() == "Role");
        Assert.Equal("tabby-system", role["metadata"]!["namespace"]!.GetValue<string>());
        var grant = Assert.Single(Grants(role));
        Assert.Equal(("", "secrets"), (grant.Group, grant.Resource));
        Assert.Equal(["get", "list", "watch"], grant.Verbs);
    }

    [Fact]
    public void Admin_role_covers_every_crd()
    {
        var role = Documents("tabby-admin.yaml").First(d => d["metadata"]!["name"]!.GetValue<string>() == "tabby-admin");
        var grants = Grants(role).ToList();
        foreach (var kind in CrdGenerator.CrdKinds)
        {
            Assert.Contains(grants, g => g.Resource == kind.Plural && g.Verbs.Contains("create") && g.Verbs.Contains("delete"));
        }
    }
}
