using System.Text.Json.Nodes;
using Tabby.Datastore.Serialization;
using Tabby.Node.Configuration;
using Xunit;

namespace Tabby.Node.Tests.Deploy;

/// <summary>
/// deploy/node is internally consistent and consistent with deploy/rbac and with what the agent
/// reads: names, labels, ConfigMap keys, volumes, probe ports, and settings the agent accepts.
/// </summary>
public sealed class NodeManifestTests
{
    private static readonly string Root = FindRoot();

    private static List<JsonObject> Documents(params string[] path) =>
        YamlJson.ParseDocuments(File.ReadAllText(Path.Combine([Root, .. path]))).Select(d => d!.AsObject()).ToList();

    private static JsonObject Kind(List<JsonObject> documents, string kind) =>
        documents.Single(d => d["kind"]!.GetValue<string>() == kind);

    private static string S(JsonNode? node) => node!.GetValue<string>();

    [Fact]
    public void DaemonSetRunsAsTheServiceAccountTheRbacDefines()
    {
        var node = Documents("deploy", "node", "tabby-node.yaml");
        var rbac = Documents("deploy", "rbac", "tabby-node.yaml");
        var daemonSet = Kind(node, "DaemonSet");
        var account = Kind(rbac, "ServiceAccount");

        Assert.Equal(S(account["metadata"]!["name"]), S(daemonSet["spec"]!["template"]!["spec"]!["serviceAccountName"]));
        Assert.Equal(S(account["metadata"]!["namespace"]), S(daemonSet["metadata"]!["namespace"]));
        var binding = Kind(rbac, "ClusterRoleBinding");
        Assert.Contains(binding["subjects"]!.AsArray(), s => S(s!["name"]) == S(account["metadata"]!["name"]));
    }

    [Fact]
    public void SelectorsLabelsVolumesAndPriorityMatch()
    {
        var node = Documents("deploy", "node", "tabby-node.yaml");
        var daemonSet = Kind(node, "DaemonSet");
        var spec = daemonSet["spec"]!;
        var podSpec = spec["template"]!["spec"]!;
        foreach (var (key, value) in spec["selector"]!["matchLabels"]!.AsObject())
        {
            Assert.Equal(S(value), S(spec["template"]!["metadata"]!["labels"]![key]));
        }

        Assert.True(podSpec["hostNetwork"]!.GetValue<bool>());
        Assert.Equal(S(Kind(node, "PriorityClass")["metadata"]!["name"]), S(podSpec["priorityClassName"]));
        var volumes = podSpec["volumes"]!.AsArray().Select(v => S(v!["name"])).ToHashSet();
        var containers = podSpec["containers"]!.AsArray().Concat(podSpec["initContainers"]!.AsArray());
        foreach (var mount in containers.SelectMany(c => c!["volumeMounts"]!.AsArray()))
        {
            Assert.Contains(S(mount!["name"]), volumes);
        }
    }

    [Fact]
    public void EnvironmentIsValidForTheAgentAndProbesHitItsHealthPort()
    {
        var node = Documents("deploy", "node", "tabby-node.yaml");
        var configMap = Kind(node, "ConfigMap");
        var daemonSet = Kind(node, "DaemonSet");
        var container = daemonSet["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!;
        var environment = new Dictionary<string, string?>();
        foreach (var variable in container["env"]!.AsArray())
        {
            var name = S(variable!["name"]);
            if (variable["value"] is { } literal)
            {
                environment[name] = S(literal);
            }
            else if (variable["valueFrom"]!["configMapKeyRef"] is { } reference)
            {
                Assert.Equal(S(configMap["metadata"]!["name"]), S(reference["name"]));
                var key = S(reference["key"]);
                Assert.True(configMap["data"]!.AsObject().ContainsKey(key), $"ConfigMap has no key {key} (env {name})");
                environment[name] = S(configMap["data"]![key]);
            }
            else
            {
                // The downward API: what the kubelet fills in.
                environment[name] = S(variable["valueFrom"]!["fieldRef"]!["fieldPath"]) switch
                {
                    "spec.nodeName" => "worker-1",
                    "metadata.namespace" => S(daemonSet["metadata"]!["namespace"]),
                    var other => throw new Xunit.Sdk.XunitException($"env {name}: unexpected fieldRef {other}"),
                };
            }
        }

        // The agent starts with exactly these settings (a bad value would stop it with the setting named).
        var settings = NodeSettingsLoader.Load(environment);
        Assert.Equal("tabby-system", settings.Namespace);

        foreach (var probe in new[] { container["livenessProbe"]!, container["readinessProbe"]! })
        {
            Assert.Equal(settings.HealthPort, (int)probe["httpGet"]!["port"]!.GetValue<long>());
            Assert.Equal(settings.HealthHost, S(probe["httpGet"]!["host"]));
        }

        Assert.Equal("/liveness", S(container["livenessProbe"]!["httpGet"]!["path"]));
        Assert.Equal("/readiness", S(container["readinessProbe"]!["httpGet"]!["path"]));
        Assert.Contains(container["ports"]!.AsArray(), p => (int)p!["containerPort"]!.GetValue<long>() == settings.MetricsPort);
        var mounts = container["volumeMounts"]!.AsArray().Select(m => S(m!["mountPath"])).ToList();
        Assert.Contains(Path.GetDirectoryName(settings.StatusSocket), mounts);
        Assert.Contains(Path.GetDirectoryName(settings.MtuFile), mounts);
    }

    [Fact]
    public void TheRbacGrantsWhatTheAgentWatchesAndWrites()
    {
        var role = Kind(Documents("deploy", "rbac", "tabby-node.yaml"), "ClusterRole");
        var grants = role["rules"]!.AsArray().SelectMany(rule => rule!["resources"]!.AsArray()
            .Select(r => (Resource: S(r), Verbs: rule["verbs"]!.AsArray().Select(S).ToHashSet()))).ToList();
        bool Allowed(string resource, string verb) => grants.Any(g => g.Resource == resource && g.Verbs.Contains(verb));

        // Agent/ChangeFeed.cs watches these, and the subsystems list them.
        foreach (var resource in Tabby.Node.Agent.ChangeFeed.WatchedKinds.Select(k => k.Plural).Distinct())
        {
            Assert.True(Allowed(resource, "list") && Allowed(resource, "watch"), $"{resource}: list and watch needed");
        }

        // Secrets (BGP passwords) only in the agent's own namespace: a Role there, and the
        // DaemonSet tells the agent which namespace that is.
        var documents = Documents("deploy", "rbac", "tabby-node.yaml");
        var secretsRole = documents.Single(d => S(d["kind"]) == "Role" && d["rules"]!.AsArray().Any(r => r!["resources"]!.AsArray().Any(x => S(x) == "secrets")));
        Assert.Equal(["get", "list", "watch"], secretsRole["rules"]![0]!["verbs"]!.AsArray().Select(S).Order());
        var daemonSet = Kind(Documents("deploy", "node", "tabby-node.yaml"), "DaemonSet");
        Assert.Equal(S(daemonSet["metadata"]!["namespace"]), S(secretsRole["metadata"]!["namespace"]));
        var env = daemonSet["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single(c => S(c!["name"]) == "tabby-node")!["env"]!.AsArray();
        Assert.Equal("metadata.namespace", S(env.Single(e => S(e!["name"]) == "TABBY_NAMESPACE")!["valueFrom"]!["fieldRef"]!["fieldPath"]));

        // Status/NodeStatusReporter.cs reads CalicoNodeStatuses and writes their status subresource.
        Assert.True(Allowed("caliconodestatuses", "list") && Allowed("caliconodestatuses/status", "update"));

        // Startup/NodeRegistration.cs writes the node's BGP spec (annotations on its Node) and
        // creates the default pools; IPAM claims blocks and allocates.
        Assert.True(Allowed("nodes", "update"));
        Assert.True(Allowed("ippools", "create"), "tabby-node creates the default pool when the cluster has none");
        foreach (var resource in new[] { "ipamblocks", "blockaffinities", "ipamhandles" })
        {
            Assert.True(Allowed(resource, "create") && Allowed(resource, "update") && Allowed(resource, "delete"), resource);
        }
    }

    [Fact]
    public void DefaultPoolIsAValidCalicoDocument()
    {
        var pool = Kind(Documents("deploy", "node", "default-ippool.yaml"), "IPPool");
        var configMap = Kind(Documents("deploy", "node", "tabby-node.yaml"), "ConfigMap");

        Assert.Equal("projectcalico.org/v3", S(pool["apiVersion"]));
        Assert.Equal(S(configMap["data"]!["ipv4_pool_cidr"]), S(pool["spec"]!["cidr"]));
        Assert.Equal(Tabby.Node.Startup.NodeRegistration.DefaultIPv4PoolName, S(pool["metadata"]!["name"]));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tabby.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("repository root not found above " + AppContext.BaseDirectory);
    }
}
