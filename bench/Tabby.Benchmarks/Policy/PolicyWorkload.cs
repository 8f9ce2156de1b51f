using System.Globalization;
using System.Net;
using System.Text.Json;
using Tabby.Datastore.Resources;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Conversion;
using Tabby.Felix.Policy.Model;

namespace Tabby.Benchmarks.Policy;

/// <summary>
/// A deterministic cluster for policy benchmarks: 20 namespaces, E local endpoints (5 per app
/// label, 200 apps), N policies as the API would deliver them (JSON): 60% Kubernetes
/// NetworkPolicy (pod, namespace+pod and ipBlock peers, numeric and named ports, some egress),
/// 30% Calico NetworkPolicy (nets, selectors, port ranges, Deny/Allow), 10% GlobalNetworkPolicy in
/// a "security" tier (Pass/Deny). Every policy selects the ~5 endpoints of one app, so each
/// endpoint has about N/200 policies: the shape of a busy multi-tenant node.
/// </summary>
internal static class PolicyWorkload
{
    public const int Apps = 200;
    public const int Namespaces = 20;

    public static List<string> PolicyJson(int count)
    {
        var list = new List<string>(count + 1)
        {
            """{"apiVersion":"projectcalico.org/v3","kind":"Tier","metadata":{"name":"security"},"spec":{"order":100}}""",
        };
        for (var i = 0; i < count; i++)
        {
            list.Add(Policy(i, 0));
        }

        return list;
    }

    /// <summary>Policy number <paramref name="i"/>; <paramref name="variant"/> changes its ports (for update benchmarks).</summary>
    public static string Policy(int i, int variant)
    {
        var ns = $"ns-{i % Namespaces}";
        var app = $"app-{i % Apps}";
        var peer = $"app-{(i + 7) % Apps}";
        var port = 8000 + (i % 50) + variant;
        return (i % 10) switch
        {
            < 6 => string.Create(CultureInfo.InvariantCulture, $$$"""
                {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"knp-{{{i}}}","namespace":"{{{ns}}}"},
                 "spec":{"podSelector":{"matchLabels":{"app":"{{{app}}}"}},
                         "policyTypes":[{{{(i % 4 == 0 ? "\"Ingress\",\"Egress\"" : "\"Ingress\"")}}}],
                         "ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"{{{peer}}}"} } },
                                             {"namespaceSelector":{"matchLabels":{"team":"t{{{i % 5}}}"}},"podSelector":{"matchLabels":{"role":"frontend"} } }],
                                     "ports":[{"protocol":"TCP","port":{{{port}}} },{"port":"http"}]}],
                         "egress":[{"to":[{"ipBlock":{"cidr":"10.{{{i % 256}}}.0.0/16","except":["10.{{{i % 256}}}.1.0/24"]}}],
                                    "ports":[{"protocol":"UDP","port":53}]}]}}
                """),
            < 9 => string.Create(CultureInfo.InvariantCulture, $$$"""
                {"apiVersion":"projectcalico.org/v3","kind":"NetworkPolicy","metadata":{"name":"cnp-{{{i}}}","namespace":"{{{ns}}}"},
                 "spec":{"order":{{{i % 100}}},"selector":"app == '{{{app}}}' && role != 'db'","types":["Ingress"],
                         "ingress":[{"action":"Deny","source":{"nets":["203.0.113.{{{i % 256}}}/32","198.51.100.0/24"]}},
                                    {"action":"Allow","protocol":"TCP","source":{"selector":"role == 'backend'"},"destination":{"ports":[5432,"6000:6100",{{{port}}}]}}]}}
                """),
            _ => string.Create(CultureInfo.InvariantCulture, $$$"""
                {"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"security.gnp-{{{i}}}"},
                 "spec":{"tier":"security","order":{{{i}}},"selector":"app == '{{{app}}}'","types":["Ingress"],
                         "ingress":[{"action":"Deny","source":{"nets":["192.0.2.0/24"]}},
                                    {"action":"Pass","source":{"namespaceSelector":"team == 't{{{i % 5}}}'"}}]}}
                """),
        };
    }

    public static Endpoint Endpoint(int j, string? app = null) => new()
    {
        Namespace = $"ns-{j % Namespaces}",
        Name = $"pod-{j}",
        Labels = new Dictionary<string, string>
        {
            ["app"] = app ?? $"app-{j % Apps}",
            ["role"] = (j % 3) switch { 0 => "frontend", 1 => "backend", _ => "db" },
        },
        Addresses = [new IPAddress([198, (byte)(18 + (j / 62500)), (byte)(j / 250 % 250), (byte)((j % 250) + 1)])],
        NamedPorts = [new NamedPort("http", Protocol.Tcp, 8080)],
        ServiceAccount = $"sa-{j % 10}",
        InterfaceName = $"tb{j}",
    };

    public static void AddNamespaces(PolicyCalculator calculator)
    {
        for (var n = 0; n < Namespaces; n++)
        {
            calculator.UpsertNamespace(NamespaceInfo.Create($"ns-{n}", new Dictionary<string, string> { ["team"] = $"t{n % 5}" }));
        }
    }

    /// <summary>Deserializes and converts one manifest (what the agent does per watch event).</summary>
    public static object Convert(string json)
    {
        using var document = JsonDocument.Parse(json);
        var kind = document.RootElement.GetProperty("kind").GetString();
        var api = document.RootElement.GetProperty("apiVersion").GetString()!;
        return kind switch
        {
            "NetworkPolicy" when api.StartsWith("networking.k8s.io", StringComparison.Ordinal) =>
                KubernetesPolicyConverter.Convert(document.RootElement.Deserialize(DatastoreJsonContext.Default.KubeNetworkPolicy)!),
            "NetworkPolicy" => CalicoPolicyConverter.Convert(document.RootElement.Deserialize(DatastoreJsonContext.Default.CalicoNetworkPolicy)!),
            "GlobalNetworkPolicy" => CalicoPolicyConverter.Convert(document.RootElement.Deserialize(DatastoreJsonContext.Default.GlobalNetworkPolicy)!),
            _ => CalicoPolicyConverter.Convert(document.RootElement.Deserialize(DatastoreJsonContext.Default.Tier)!),
        };
    }

    public static void Apply(PolicyCalculator calculator, string json)
    {
        switch (Convert(json))
        {
            case Tier tier:
                calculator.UpsertTier(tier);
                break;
            case Felix.Policy.Model.Policy policy:
                calculator.UpsertPolicy(policy);
                break;
        }
    }
}
