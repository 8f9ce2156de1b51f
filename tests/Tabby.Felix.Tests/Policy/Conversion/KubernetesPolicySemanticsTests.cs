using Tabby.Felix.Policy.Evaluation;
using Tabby.Felix.Policy.Model;
using Xunit;

namespace Tabby.Felix.Tests.Policy.Conversion;

/// <summary>Truth tables for networking.k8s.io/v1 NetworkPolicy semantics, through converter and evaluator.</summary>
public sealed class KubernetesPolicySemanticsTests
{
    private const string DefaultDenyIngress = """
        {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"default-deny-ingress","namespace":"prod"},
         "spec":{"podSelector":{},"policyTypes":["Ingress"]}}
        """;

    private const string DefaultDenyEgress = """
        {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"default-deny-egress","namespace":"prod"},
         "spec":{"podSelector":{},"policyTypes":["Egress"]}}
        """;

    [Fact]
    public void WithoutPoliciesEverythingIsAllowedAndNotIsolated()
    {
        var world = PolicyWorld.Standard();
        var verdict = world.Check("prod/frontend", "prod/db");
        Assert.True(verdict.Allowed);
        Assert.All(verdict.Steps, s => Assert.Equal(TraceReason.NotIsolated, s.Reason));
    }

    [Fact]
    public void DefaultDenyIngressIsolatesOnlyItsNamespaceAndOnlyIngress()
    {
        var world = PolicyWorld.Standard();
        world.Apply(DefaultDenyIngress);
        Assert.False(world.Allowed("prod/frontend", "prod/backend"));
        Assert.False(world.Allowed("dev/frontend", "prod/backend"));
        Assert.False(world.Allowed("203.0.113.5", "prod/db", "UDP", 53));
        Assert.True(world.Allowed("prod/frontend", "dev/frontend")); // egress from prod is not isolated
        Assert.True(world.Allowed("prod/frontend", "203.0.113.5"));
        var verdict = world.Check("prod/frontend", "prod/backend");
        var last = verdict.Steps[^1];
        Assert.Equal((Direction.Ingress, "default", PolicyAction.Deny, TraceReason.TierDefault), (last.Direction, last.Tier, last.Action, last.Reason));
    }

    [Fact]
    public void DefaultDenyEgressBlocksEverythingLeavingTheNamespaceIncludingDns()
    {
        var world = PolicyWorld.Standard();
        world.Apply(DefaultDenyEgress);
        Assert.False(world.Allowed("prod/frontend", "prod/backend"));
        Assert.False(world.Allowed("prod/frontend", "kube-system/coredns", "UDP", 53));
        Assert.False(world.Allowed("prod/frontend", "203.0.113.5"));
        Assert.True(world.Allowed("dev/frontend", "prod/frontend")); // ingress to prod is not isolated
    }

    [Fact]
    public void AllowFrontendToBackendOn8080()
    {
        var world = PolicyWorld.Standard();
        world.Apply(DefaultDenyIngress);
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"frontend-to-backend","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"backend"}},
                     "ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"frontend"}}}],"ports":[{"protocol":"TCP","port":8080}]}]}}
            """);
        Assert.True(world.Allowed("prod/frontend", "prod/backend", "TCP", 8080));
        Assert.False(world.Allowed("prod/frontend", "prod/backend", "TCP", 8081));
        Assert.False(world.Allowed("prod/frontend", "prod/backend", "UDP", 8080));
        Assert.False(world.Allowed("prod/db", "prod/backend", "TCP", 8080));
        Assert.False(world.Allowed("dev/frontend", "prod/backend", "TCP", 8080)); // podSelector alone = same namespace
        Assert.False(world.Allowed("prod/frontend", "prod/db", "TCP", 8080));
        var step = world.Check("prod/frontend", "prod/backend", "TCP", 8080).Steps[^1];
        Assert.Equal("prod/knp.default.frontend-to-backend", step.Policy);
        Assert.Equal("ingress[0].from[0] TCP", step.RuleOrigin);
    }

    [Fact]
    public void DnsEgressToKubeDnsOn53UdpAndTcp()
    {
        var world = PolicyWorld.Standard();
        world.Apply(DefaultDenyEgress);
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"allow-dns","namespace":"prod"},
             "spec":{"podSelector":{},"policyTypes":["Egress"],
                     "egress":[{"to":[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}},
                                       "podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}],
                                "ports":[{"protocol":"UDP","port":53},{"protocol":"TCP","port":53}]}]}}
            """);
        Assert.True(world.Allowed("prod/frontend", "kube-system/coredns", "UDP", 53));
        Assert.True(world.Allowed("prod/frontend", "kube-system/coredns", "TCP", 53));
        Assert.False(world.Allowed("prod/frontend", "kube-system/coredns", "UDP", 54));
        Assert.False(world.Allowed("prod/frontend", "kube-system/coredns", "SCTP", 53));
        Assert.False(world.Allowed("prod/frontend", "prod/backend", "UDP", 53));
        Assert.False(world.Allowed("prod/frontend", "203.0.113.53", "UDP", 53));
    }

    [Theory]
    [InlineData("203.0.113.5", true)]
    [InlineData("203.0.113.127", true)]
    [InlineData("203.0.113.128", false)]
    [InlineData("203.0.113.200", false)]
    [InlineData("198.51.100.1", false)]
    public void IpBlockWithExcept(string source, bool allowed)
    {
        var world = PolicyWorld.Standard();
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"ipblock","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"db"}},
                     "ingress":[{"from":[{"ipBlock":{"cidr":"203.0.113.0/24","except":["203.0.113.128/25"]}}]}]}}
            """);
        Assert.Equal(allowed, world.Allowed(source, "prod/db"));
    }

    [Fact]
    public void NamespaceIsolationAllowsOnlyTheSameNamespace()
    {
        var world = PolicyWorld.Standard();
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"same-namespace","namespace":"prod"},
             "spec":{"podSelector":{},"ingress":[{"from":[{"podSelector":{}}]}]}}
            """);
        Assert.True(world.Allowed("prod/frontend", "prod/db"));
        Assert.False(world.Allowed("dev/frontend", "prod/db"));
        Assert.False(world.Allowed("203.0.113.5", "prod/db"));
        Assert.True(world.Allowed("prod/frontend", "dev/frontend"));
    }

    [Fact]
    public void NamespaceAndPodSelectorInOnePeerAreAnded()
    {
        var world = PolicyWorld.Standard();
        world.Pod("dev/tool", "198.18.0.5", true, [("app", "tool")]);
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"and","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"db"}},
                     "ingress":[{"from":[{"namespaceSelector":{"matchLabels":{"env":"dev"}},"podSelector":{"matchLabels":{"app":"frontend"}}}]}]}}
            """);
        Assert.True(world.Allowed("dev/frontend", "prod/db"));
        Assert.False(world.Allowed("prod/frontend", "prod/db")); // right pod, wrong namespace
        Assert.False(world.Allowed("dev/tool", "prod/db"));      // right namespace, wrong pod
    }

    [Fact]
    public void SeveralPeersAreOred()
    {
        var world = PolicyWorld.Standard();
        world.Pod("dev/tool", "198.18.0.5", true, [("app", "tool")]);
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"or","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"db"}},
                     "ingress":[{"from":[{"namespaceSelector":{"matchLabels":{"env":"dev"}}},{"podSelector":{"matchLabels":{"app":"frontend"}}}]}]}}
            """);
        Assert.True(world.Allowed("dev/frontend", "prod/db"));
        Assert.True(world.Allowed("prod/frontend", "prod/db"));
        Assert.True(world.Allowed("dev/tool", "prod/db"));
        Assert.False(world.Allowed("prod/backend", "prod/db"));
        // Selector peers share one rule (one set lookup in the dataplane); the trace names them.
        Assert.Equal("ingress[0].from[0,1]", world.Check("prod/frontend", "prod/db").Steps[^1].RuleOrigin);
    }

    [Fact]
    public void NamedPortResolvesPerEndpoint()
    {
        var world = PolicyWorld.Standard();
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"named","namespace":"prod"},
             "spec":{"podSelector":{},"ingress":[{"ports":[{"port":"http"}]}]}}
            """);
        Assert.True(world.Allowed("prod/frontend", "prod/backend", "TCP", 8080)); // backend names 8080 "http"
        Assert.False(world.Allowed("prod/frontend", "prod/backend", "TCP", 80));
        Assert.False(world.Allowed("prod/frontend", "prod/db", "TCP", 8080));     // db has no port "http"
        Assert.False(world.Allowed("prod/frontend", "prod/backend", "UDP", 8080));
    }

    [Theory]
    [InlineData(7999, false)]
    [InlineData(8000, true)]
    [InlineData(8050, true)]
    [InlineData(8100, true)]
    [InlineData(8101, false)]
    [InlineData(443, true)]
    public void EndPortMakesARange(int port, bool allowed)
    {
        var world = PolicyWorld.Standard();
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"range","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"db"}},
                     "ingress":[{"ports":[{"port":8000,"endPort":8100},{"port":443}]}]}}
            """);
        Assert.Equal(allowed, world.Allowed("dev/frontend", "prod/db", "TCP", port));
    }

    [Fact]
    public void SctpPorts()
    {
        var world = PolicyWorld.Standard();
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"sctp","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"db"}},"ingress":[{"ports":[{"protocol":"SCTP","port":3868}]}]}}
            """);
        Assert.True(world.Allowed("dev/frontend", "prod/db", "SCTP", 3868));
        Assert.False(world.Allowed("dev/frontend", "prod/db", "TCP", 3868));
    }

    [Fact]
    public void PolicyTypesDefaultToIngressPlusEgressWhenEgressRulesExist()
    {
        var world = PolicyWorld.Standard();
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"egress-only-rules","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"db"}},"egress":[{"ports":[{"protocol":"UDP","port":53}]}]}}
            """);
        var policy = Assert.Single(world.Calculator.Policies.Values).Policy;
        Assert.Equal(PolicyTypes.Ingress | PolicyTypes.Egress, policy.Types);
        Assert.False(world.Allowed("prod/frontend", "prod/db")); // ingress isolated with no ingress rules
        Assert.True(world.Allowed("prod/db", "203.0.113.53", "UDP", 53));
        Assert.False(world.Allowed("prod/db", "203.0.113.53", "TCP", 53));
    }

    [Fact]
    public void PolicyTypesDefaultToIngressOnly()
    {
        var world = PolicyWorld.Standard();
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"ingress","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"db"}},"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"backend"}}}]}]}}
            """);
        Assert.Equal(PolicyTypes.Ingress, Assert.Single(world.Calculator.Policies.Values).Policy.Types);
        Assert.True(world.Allowed("prod/db", "203.0.113.1")); // egress not isolated
    }

    [Fact]
    public void EmptyRuleAllowsAllAndNoRulesDenies()
    {
        var world = PolicyWorld.Standard();
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"allow-all","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"db"}},"ingress":[{}]}}
            """);
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"deny-all","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"backend"}},"ingress":[]}}
            """);
        Assert.True(world.Allowed("203.0.113.9", "prod/db", "UDP", 5000));
        Assert.False(world.Allowed("prod/frontend", "prod/backend", "TCP", 8080));
    }

    [Fact]
    public void IsolationOnlyWhenAPolicySelectsThePod()
    {
        var world = PolicyWorld.Standard();
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"backend-only","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"backend"}},"ingress":[]}}
            """);
        Assert.False(world.Allowed("prod/frontend", "prod/backend"));
        Assert.True(world.Allowed("prod/frontend", "prod/db"));
        Assert.True(world.Allowed("dev/frontend", "dev/frontend"));
    }

    [Fact]
    public void PoliciesAreAdditive()
    {
        var world = PolicyWorld.Standard();
        world.Apply("""
            [{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"a","namespace":"prod"},
              "spec":{"podSelector":{"matchLabels":{"app":"db"}},"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"frontend"}}}]}]}},
             {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"b","namespace":"prod"},
              "spec":{"podSelector":{"matchLabels":{"app":"db"}},"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"backend"}}}]}]}}]
            """);
        Assert.True(world.Allowed("prod/frontend", "prod/db"));
        Assert.True(world.Allowed("prod/backend", "prod/db"));
        Assert.False(world.Allowed("dev/frontend", "prod/db"));
    }

    [Fact]
    public void MatchExpressions()
    {
        var world = PolicyWorld.Standard();
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"expr","namespace":"prod"},
             "spec":{"podSelector":{"matchExpressions":[{"key":"app","operator":"In","values":["db","backend"]}]},
                     "ingress":[{"from":[{"podSelector":{"matchExpressions":[{"key":"app","operator":"NotIn","values":["frontend"]}]}}]}]}}
            """);
        Assert.False(world.Allowed("prod/frontend", "prod/db"));
        Assert.True(world.Allowed("prod/backend", "prod/db"));
        Assert.True(world.Allowed("prod/frontend", "prod/frontend")); // not selected: not isolated
    }

    [Theory]
    [InlineData("""{"podSelector":{},"policyTypes":["Sideways"]}""", "spec.policyTypes[0]")]
    [InlineData("""{"podSelector":{},"ingress":[{"from":[{}]}]}""", "spec.ingress[0].from[0]")]
    [InlineData("""{"podSelector":{},"ingress":[{"from":[{"ipBlock":{"cidr":"10.0.0.0/8"},"podSelector":{}}]}]}""", "spec.ingress[0].from[0]")]
    [InlineData("""{"podSelector":{},"ingress":[{"from":[{"ipBlock":{"cidr":"10.0.0.0/8","except":["11.0.0.0/16"]}}]}]}""", "spec.ingress[0].from[0].ipBlock.except[0]")]
    [InlineData("""{"podSelector":{},"ingress":[{"from":[{"ipBlock":{"cidr":"banana"}}]}]}""", "spec.ingress[0].from[0].ipBlock.cidr")]
    [InlineData("""{"podSelector":{},"ingress":[{"ports":[{"protocol":"ICMP","port":1}]}]}""", "spec.ingress[0].ports[0].protocol")]
    [InlineData("""{"podSelector":{},"ingress":[{"ports":[{"port":80,"endPort":70}]}]}""", "spec.ingress[0].ports[0].endPort")]
    [InlineData("""{"podSelector":{},"ingress":[{"ports":[{"port":"http","endPort":90}]}]}""", "spec.ingress[0].ports[0].endPort")]
    [InlineData("""{"podSelector":{},"ingress":[{"ports":[{"port":70000}]}]}""", "spec.ingress[0].ports[0].port")]
    [InlineData("""{"podSelector":{"matchExpressions":[{"key":"a","operator":"In"}]}}""", "spec.podSelector.matchExpressions[0].values")]
    [InlineData("""{"podSelector":{"matchExpressions":[{"key":"a","operator":"Like","values":["x"]}]}}""", "spec.podSelector.matchExpressions[0].operator")]
    public void RejectsInvalidSpecsWithTheField(string spec, string field)
    {
        var json = $$"""{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"bad","namespace":"prod"},"spec":{{spec}}}""";
        var error = Assert.Throws<PolicyValidationException>(() => PolicyWorld.Convert(json).ToList());
        Assert.Equal(field, error.Field);
    }
}
