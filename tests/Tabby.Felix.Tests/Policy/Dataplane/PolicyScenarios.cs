namespace Tabby.Felix.Tests.Policy.Dataplane;

/// <summary>
/// Policy sets the real-packet matrix runs, each over the pods of <see cref="PolicyWorld.Standard"/>
/// and the external hosts of <see cref="PolicyLab"/>. Every scenario must allow some cells and deny others.
/// </summary>
public static class PolicyScenarios
{
    private static string Knp(string ns, string name, string spec) =>
        $$"""{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"{{name}}","namespace":"{{ns}}"},"spec":{{spec}}}""";

    private static string Gnp(string name, string spec) =>
        $$"""{"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"{{name}}"},"spec":{{spec}}}""";

    public static readonly IReadOnlyDictionary<string, string[]> All = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["frontend-to-backend"] =
        [
            Knp("prod", "default-deny-ingress", """{"podSelector":{},"policyTypes":["Ingress"]}"""),
            Knp("prod", "frontend-to-backend", """
                {"podSelector":{"matchLabels":{"app":"backend"}},
                 "ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"frontend"}}},
                                     {"namespaceSelector":{"matchLabels":{"env":"dev"}},"podSelector":{"matchLabels":{"app":"frontend"}}},
                                     {"ipBlock":{"cidr":"203.0.113.96/27"}}],
                             "ports":[{"protocol":"TCP","port":8080}]}]}
                """),
        ],
        ["dns-egress"] =
        [
            Knp("prod", "default-deny-egress", """{"podSelector":{},"policyTypes":["Egress"]}"""),
            Knp("prod", "allow-dns", """
                {"podSelector":{},"policyTypes":["Egress"],
                 "egress":[{"to":[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}},
                                   "podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}],
                            "ports":[{"protocol":"UDP","port":53},{"protocol":"TCP","port":53}]}]}
                """),
        ],
        ["ipblock-except"] =
        [
            Knp("prod", "db-from-net", """
                {"podSelector":{"matchLabels":{"app":"db"}},
                 "ingress":[{"from":[{"ipBlock":{"cidr":"203.0.113.0/24","except":["203.0.113.0/28"]}}]}],
                 "egress":[{"to":[{"ipBlock":{"cidr":"203.0.113.64/26"}}],"ports":[{"port":9090},{"protocol":"UDP","port":53}]}]}
                """),
        ],
        ["namespace-isolation-and-combined-selector"] =
        [
            Knp("prod", "same-namespace", """{"podSelector":{"matchExpressions":[{"key":"app","operator":"NotIn","values":["db"]}]},"ingress":[{"from":[{"podSelector":{}}]}]}"""),
            Knp("prod", "db-from-dev-frontend", """
                {"podSelector":{"matchLabels":{"app":"db"}},
                 "ingress":[{"from":[{"namespaceSelector":{"matchLabels":{"env":"dev"}},"podSelector":{"matchLabels":{"app":"frontend"}}}]}]}
                """),
        ],
        ["named-ports-and-ranges"] =
        [
            Knp("prod", "http-only", """{"podSelector":{},"ingress":[{"ports":[{"port":"http"},{"protocol":"TCP","port":9000,"endPort":9089}]}]}"""),
            Knp("kube-system", "dns-only", """{"podSelector":{},"ingress":[{"ports":[{"protocol":"UDP","port":53}]}]}"""),
        ],
        ["calico-tiers-order-pass"] =
        [
            """{"apiVersion":"projectcalico.org/v3","kind":"Tier","metadata":{"name":"security"},"spec":{"order":100}}""",
            Gnp("security.edge", """
                {"tier":"security","order":10,"selector":"all()","types":["Ingress","Egress"],
                 "ingress":[{"action":"Deny","source":{"nets":["192.0.2.0/24","203.0.113.0/28","198.51.100.0/24","100.64.0.0/10","233.252.0.0/24"]}},
                            {"action":"Pass","source":{"notNets":["203.0.113.0/28","192.0.2.0/24","198.51.100.0/24","100.64.0.0/10","233.252.0.0/24"]}}],
                 "egress":[{"action":"Deny","protocol":"UDP","destination":{"selector":"app == 'db'"}},
                           {"action":"Pass"}]}
                """),
            Gnp("db-lockdown", """
                {"order":100,"selector":"app == 'db'","ingress":[
                   {"action":"Allow","protocol":"TCP","source":{"selector":"app == 'backend'"},"destination":{"ports":[8080,"9000:9100"]}},
                   {"action":"Allow","protocol":"TCP","source":{"namespaceSelector":"env == 'dev'"},"destination":{"notPorts":[8080,9090]}},
                   {"action":"Allow","protocol":"ICMP","source":{"selector":"app == 'backend'"},"icmp":{"type":8,"code":0}}]}
                """),
            Gnp("deny-frontend-udp", """
                {"order":50,"selector":"app == 'frontend'","types":["Egress"],"egress":[
                   {"action":"Deny","protocol":"UDP","destination":{"nets":["198.18.0.0/16"],"notNets":["198.18.0.10/32"]}},
                   {"action":"Deny","protocol":"ICMP","notICMP":{"type":8,"code":1}},
                   {"action":"Log","protocol":"TCP"},
                   {"action":"Allow"}]}
                """),
        ],
    };
}
