using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tabby.Datastore.Resources;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Conversion;
using Tabby.Felix.Policy.Evaluation;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Tests.Policy;

/// <summary>
/// A small cluster for policy tests: namespaces, pods (endpoints) and policies given as the JSON a
/// user would apply, fed through the real converters into a <see cref="PolicyCalculator"/>.
/// </summary>
internal sealed class PolicyWorld
{
    public PolicyWorld()
    {
        Evaluator = new PolicyEvaluator(Calculator);
    }

    public PolicyCalculator Calculator { get; } = new();

    public PolicyEvaluator Evaluator { get; }

    /// <summary>The standard cast: namespaces prod (env=prod), dev (env=dev), kube-system; five pods.</summary>
    public static PolicyWorld Standard(bool local = true)
    {
        var world = new PolicyWorld();
        world.Namespace("prod", ("env", "prod"));
        world.Namespace("dev", ("env", "dev"));
        world.Namespace("kube-system");
        world.Pod("prod/frontend", "198.18.0.1,2001:db8:1::1", local, [("app", "frontend")], serviceAccount: "web", interfaceName: "tp1");
        world.Pod("prod/backend", "198.18.0.2,2001:db8:1::2", local, [("app", "backend")], namedPorts: [new NamedPort("http", Protocol.Tcp, 8080)], interfaceName: "tp2");
        world.Pod("prod/db", "198.18.0.3,2001:db8:1::3", local, [("app", "db")], interfaceName: "tp3");
        world.Pod("dev/frontend", "198.18.0.4,2001:db8:1::4", local, [("app", "frontend")], interfaceName: "tp4");
        world.Pod("kube-system/coredns", "198.18.0.10,2001:db8:1::a", local, [("k8s-app", "kube-dns")], interfaceName: "tp10");
        return world;
    }

    public void Namespace(string name, params (string Key, string Value)[] labels) =>
        Calculator.UpsertNamespace(NamespaceInfo.Create(name, labels.ToDictionary(l => l.Key, l => l.Value)));

    public Endpoint Pod(string key, string address, bool local, (string Key, string Value)[] labels, NamedPort[]? namedPorts = null,
        string serviceAccount = "default", string? interfaceName = null)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var endpoint = new Endpoint
        {
            Namespace = key[..slash],
            Name = key[(slash + 1)..],
            Labels = labels.ToDictionary(l => l.Key, l => l.Value),
            Addresses = [.. address.Split(',').Select(IPAddress.Parse)],
            NamedPorts = namedPorts ?? [],
            ServiceAccount = serviceAccount,
            InterfaceName = local ? interfaceName ?? $"tp{Calculator.Endpoints.Count}" : null,
        };
        Calculator.UpsertEndpoint(endpoint);
        return Calculator.Endpoints[endpoint.Key];
    }

    /// <summary>Applies a policy or tier written as JSON (kind NetworkPolicy with apiVersion networking.k8s.io/v1,
    /// or projectcalico.org/v3 NetworkPolicy / GlobalNetworkPolicy / Tier).</summary>
    public void Apply(string json)
    {
        foreach (var model in Convert(json))
        {
            switch (model)
            {
                case Tier tier:
                    Calculator.UpsertTier(tier);
                    break;
                case Felix.Policy.Model.Policy policy:
                    Calculator.UpsertPolicy(policy);
                    break;
            }
        }
    }

    public static IEnumerable<object> Convert(string json)
    {
        var node = JsonNode.Parse(json)!;
        var items = node is JsonArray array ? array.Select(n => n!) : [node];
        foreach (var item in items)
        {
            var text = item.ToJsonString();
            var kind = (string?)item["kind"];
            var api = (string?)item["apiVersion"] ?? "";
            yield return (kind, api.StartsWith("networking.k8s.io", StringComparison.Ordinal)) switch
            {
                ("NetworkPolicy", true) => KubernetesPolicyConverter.Convert(JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.KubeNetworkPolicy)!),
                ("NetworkPolicy", false) => CalicoPolicyConverter.Convert(JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.CalicoNetworkPolicy)!),
                ("GlobalNetworkPolicy", _) => CalicoPolicyConverter.Convert(JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.GlobalNetworkPolicy)!),
                ("Tier", _) => CalicoPolicyConverter.Convert(JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.Tier)!),
                _ => throw new ArgumentException($"unknown kind {kind}"),
            };
        }
    }

    /// <summary>The verdict for a flow between pods (keys like <c>prod/frontend</c>) or addresses.</summary>
    public Verdict Check(string from, string to, string protocol = "TCP", int port = 80, int icmpType = 8, int icmpCode = 0) =>
        Evaluator.Evaluate(new Flow(AddressOf(from), AddressOf(to), Protocol.Parse(protocol, "protocol"), 40000, port, icmpType, icmpCode));

    public bool Allowed(string from, string to, string protocol = "TCP", int port = 80) => Check(from, to, protocol, port).Allowed;

    public IPAddress AddressOf(string name) =>
        IPAddress.TryParse(name, out var address) ? address : Calculator.Endpoints[name].Addresses[0];
}
