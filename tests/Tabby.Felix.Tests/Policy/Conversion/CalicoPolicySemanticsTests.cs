using Tabby.Felix.Policy.Evaluation;
using Tabby.Felix.Policy.Model;
using Xunit;

namespace Tabby.Felix.Tests.Policy.Conversion;

/// <summary>Truth tables for Calico NetworkPolicy / GlobalNetworkPolicy / Tier semantics.</summary>
public sealed class CalicoPolicySemanticsTests
{
    private static string Gnp(string name, string spec) =>
        $$"""{"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"{{name}}"},"spec":{{spec}}}""";

    private static string Np(string ns, string name, string spec) =>
        $$"""{"apiVersion":"projectcalico.org/v3","kind":"NetworkPolicy","metadata":{"name":"{{name}}","namespace":"{{ns}}"},"spec":{{spec}}}""";

    [Fact]
    public void LowerOrderDecidesFirst()
    {
        var world = PolicyWorld.Standard();
        world.Apply(Gnp("allow-all", """{"order":20,"selector":"app == 'db'","ingress":[{"action":"Allow"}]}"""));
        world.Apply(Gnp("deny-frontend", """{"order":10,"selector":"app == 'db'","ingress":[{"action":"Deny","source":{"selector":"app == 'frontend'"}}]}"""));
        Assert.False(world.Allowed("prod/frontend", "prod/db"));
        Assert.False(world.Allowed("dev/frontend", "prod/db")); // GNP selectors span namespaces
        Assert.True(world.Allowed("prod/backend", "prod/db"));
        var steps = world.Check("prod/frontend", "prod/db").Steps;
        Assert.Equal("deny-frontend", steps[^1].Policy);
    }

    [Fact]
    public void MissingOrderRunsLastAndTiesBreakByName()
    {
        var world = PolicyWorld.Standard();
        world.Apply(Gnp("a-unordered", """{"selector":"app == 'db'","ingress":[{"action":"Deny"}]}"""));
        world.Apply(Gnp("z-ordered", """{"order":500,"selector":"app == 'db'","ingress":[{"action":"Allow","protocol":"UDP"}]}"""));
        world.Apply(Gnp("b-tie", """{"order":500,"selector":"app == 'db'","ingress":[{"action":"Allow","protocol":"TCP","destination":{"ports":[22]}}]}"""));
        Assert.True(world.Allowed("prod/frontend", "prod/db", "UDP", 1));
        Assert.Equal("b-tie", world.Check("prod/frontend", "prod/db", "TCP", 22).Steps[^1].Policy);
        Assert.Equal("a-unordered", world.Check("prod/frontend", "prod/db", "TCP", 23).Steps[^1].Policy);
    }

    [Fact]
    public void PassSkipsToTheNextTierAndTierDefaultDenies()
    {
        var world = PolicyWorld.Standard();
        world.Apply("""{"apiVersion":"projectcalico.org/v3","kind":"Tier","metadata":{"name":"security"},"spec":{"order":100}}""");
        world.Apply(Gnp("security.guard", """
            {"tier":"security","order":1,"selector":"app == 'db'","ingress":[
               {"action":"Deny","source":{"nets":["203.0.113.0/24"]}},
               {"action":"Pass","source":{"selector":"app == 'frontend'"}}]}
            """));
        world.Apply(Np("prod", "db-allow", """{"order":10,"selector":"app == 'db'","ingress":[{"action":"Allow","source":{"selector":"app == 'frontend'"}}]}"""));

        Assert.True(world.Allowed("prod/frontend", "prod/db"));       // passed, then allowed in default tier
        Assert.False(world.Allowed("203.0.113.5", "prod/db"));        // denied in security
        Assert.False(world.Allowed("prod/backend", "prod/db"));       // no rule in security: tier default Deny
        var steps = world.Check("prod/frontend", "prod/db").Steps;
        Assert.Equal(["security", "default"], steps.Where(s => s.Direction == Direction.Ingress).Select(s => s.Tier!));
        Assert.Equal(PolicyAction.Pass, steps[^2].Action);
        var denied = world.Check("prod/backend", "prod/db").Steps[^1];
        Assert.Equal(("security", TraceReason.TierDefault), (denied.Tier, denied.Reason));
    }

    [Fact]
    public void TierWithDefaultPassAndPassThroughAllTiersAllows()
    {
        var world = PolicyWorld.Standard();
        world.Apply("""{"apiVersion":"projectcalico.org/v3","kind":"Tier","metadata":{"name":"observe"},"spec":{"order":50,"defaultAction":"Pass"}}""");
        world.Apply(Gnp("observe.log", """{"tier":"observe","selector":"all()","ingress":[{"action":"Log"}]}"""));
        world.Apply(Gnp("pass-all", """{"selector":"app == 'db'","ingress":[{"action":"Pass"}]}"""));
        var verdict = world.Check("prod/frontend", "prod/db");
        Assert.True(verdict.Allowed);
        Assert.Equal([PolicyAction.Log, PolicyAction.Pass, PolicyAction.Pass, PolicyAction.Allow],
            verdict.Steps.Where(s => s.Direction == Direction.Ingress).Select(s => s.Action));
        Assert.Equal(TraceReason.AllTiersPassed, verdict.Steps[^1].Reason);
        // observe passes, the default tier has no policy for backend: not isolated there either.
        Assert.True(world.Allowed("prod/frontend", "prod/backend"));
    }

    [Fact]
    public void UnknownTierFailsClosed()
    {
        var world = PolicyWorld.Standard();
        world.Apply(Gnp("typo", """{"tier":"secrity","selector":"app == 'db'","ingress":[{"action":"Pass"}]}"""));
        world.Apply(Gnp("allow", """{"selector":"app == 'db'","ingress":[{"action":"Allow"}]}"""));
        // The unknown tier sorts last; the default tier allows first.
        Assert.True(world.Allowed("prod/frontend", "prod/db"));
        world.Apply(Gnp("typo2", """{"tier":"secrity","selector":"app == 'backend'","ingress":[{"action":"Log"}]}"""));
        Assert.False(world.Allowed("prod/frontend", "prod/backend"));
    }

    [Fact]
    public void NamespacedCalicoPolicySelectorsStayInTheirNamespace()
    {
        var world = PolicyWorld.Standard();
        world.Apply(Np("prod", "same-ns", """{"selector":"all()","ingress":[{"action":"Allow","source":{"selector":"app == 'frontend'"}}]}"""));
        Assert.True(world.Allowed("prod/frontend", "prod/db"));
        Assert.False(world.Allowed("dev/frontend", "prod/db"));
        Assert.True(world.Allowed("prod/db", "dev/frontend")); // dev not selected
        world.Apply(Np("prod", "same-ns", """{"selector":"all()","ingress":[{"action":"Allow","source":{"selector":"app == 'frontend'","namespaceSelector":"env == 'dev'"}}]}"""));
        Assert.False(world.Allowed("prod/frontend", "prod/db"));
        Assert.True(world.Allowed("dev/frontend", "prod/db"));
    }

    [Theory]
    [InlineData("""{"action":"Allow","source":{"nets":["198.18.0.0/30"],"notNets":["198.18.0.2/32"]}}""", "prod/frontend", true)]
    [InlineData("""{"action":"Allow","source":{"nets":["198.18.0.0/30"],"notNets":["198.18.0.2/32"]}}""", "prod/backend", false)]
    [InlineData("""{"action":"Allow","source":{"nets":["198.18.0.0/30"],"notNets":["198.18.0.2/32"]}}""", "dev/frontend", false)]
    [InlineData("""{"action":"Allow","source":{"notSelector":"app == 'frontend'"}}""", "prod/frontend", false)]
    [InlineData("""{"action":"Allow","source":{"notSelector":"app == 'frontend'"}}""", "prod/backend", true)]
    [InlineData("""{"action":"Allow","source":{"notSelector":"app == 'frontend'"}}""", "203.0.113.1", true)]
    [InlineData("""{"action":"Allow","source":{"selector":"has(app)","notSelector":"app == 'frontend'"}}""", "prod/backend", true)]
    [InlineData("""{"action":"Allow","source":{"selector":"has(app)","notSelector":"app == 'frontend'"}}""", "203.0.113.1", false)]
    [InlineData("""{"action":"Allow","source":{"serviceAccounts":{"names":["web"]}}}""", "prod/frontend", true)]
    [InlineData("""{"action":"Allow","source":{"serviceAccounts":{"names":["web"]}}}""", "prod/backend", false)]
    [InlineData("""{"action":"Allow","source":{"namespaceSelector":"env == 'dev'"}}""", "dev/frontend", true)]
    [InlineData("""{"action":"Allow","source":{"namespaceSelector":"env == 'dev'"}}""", "prod/frontend", false)]
    [InlineData("""{"action":"Allow","source":{"namespaceSelector":"global()"}}""", "prod/frontend", false)]
    [InlineData("""{"action":"Allow","notProtocol":"UDP"}""", "prod/frontend", true)]
    [InlineData("""{"action":"Allow","protocol":"UDP"}""", "prod/frontend", false)]
    [InlineData("""{"action":"Allow","protocol":6,"destination":{"ports":["1:100"]}}""", "prod/frontend", true)]
    [InlineData("""{"action":"Allow","protocol":"TCP","destination":{"ports":["81:100"]}}""", "prod/frontend", false)]
    [InlineData("""{"action":"Allow","protocol":"TCP","destination":{"notPorts":[80]}}""", "prod/frontend", false)]
    [InlineData("""{"action":"Allow","protocol":"TCP","destination":{"notPorts":[443]}}""", "prod/frontend", true)]
    [InlineData("""{"action":"Allow","protocol":"TCP","source":{"ports":["40000"]}}""", "prod/frontend", true)]
    [InlineData("""{"action":"Allow","ipVersion":6}""", "prod/frontend", false)]
    [InlineData("""{"action":"Allow","source":{"nets":["2001:db8::/32"]}}""", "prod/frontend", false)]
    public void EntityMatchFields(string rule, string source, bool allowed)
    {
        var world = PolicyWorld.Standard();
        world.Apply(Gnp("rule", $$"""{"selector":"app == 'db'","ingress":[{{rule}}]}"""));
        Assert.Equal(allowed, world.Allowed(source, "prod/db", "TCP", 80));
    }

    [Theory]
    [InlineData(8, 0, true)]
    [InlineData(8, 1, false)]
    [InlineData(0, 0, false)]
    public void IcmpTypeAndCode(int type, int code, bool allowed)
    {
        var world = PolicyWorld.Standard();
        world.Apply(Gnp("icmp", """{"selector":"app == 'db'","ingress":[{"action":"Allow","protocol":"ICMP","icmp":{"type":8,"code":0}}]}"""));
        Assert.Equal(allowed, world.Check("prod/frontend", "prod/db", "ICMP", 0, type, code).Allowed);
    }

    [Fact]
    public void NotIcmpExcludesATypeAndEgressSelectorsWork()
    {
        var world = PolicyWorld.Standard();
        world.Apply(Gnp("egress", """
            {"selector":"app == 'frontend'","types":["Egress"],"egress":[
              {"action":"Allow","protocol":"ICMP","notICMP":{"type":5}},
              {"action":"Allow","protocol":"TCP","destination":{"selector":"app == 'backend'","ports":["http"]}}]}
            """));
        Assert.True(world.Check("prod/frontend", "prod/db", "ICMP", 0, 8).Allowed);
        Assert.False(world.Check("prod/frontend", "prod/db", "ICMP", 0, 5).Allowed);
        Assert.True(world.Allowed("prod/frontend", "prod/backend", "TCP", 8080));
        Assert.False(world.Allowed("prod/frontend", "prod/backend", "TCP", 80));
        Assert.False(world.Allowed("prod/frontend", "prod/db", "TCP", 8080));
        Assert.True(world.Allowed("prod/db", "prod/frontend", "TCP", 9)); // ingress to frontend is not covered
    }

    [Fact]
    public void GlobalPolicyNamespaceSelectorFollowsNamespaceLabels()
    {
        var world = PolicyWorld.Standard();
        world.Apply(Gnp("dev-lockdown", """{"namespaceSelector":"env == 'dev'","selector":"all()","ingress":[]}"""));
        Assert.False(world.Allowed("prod/frontend", "dev/frontend"));
        Assert.True(world.Allowed("prod/frontend", "prod/db"));
        world.Namespace("dev", ("env", "staging"));
        Assert.True(world.Allowed("prod/frontend", "dev/frontend"));
    }

    [Theory]
    [InlineData("""{"ingress":[{"action":"Jump"}]}""", "spec.ingress[0].action")]
    [InlineData("""{"selector":"app = 'x'"}""", "spec.selector")]
    [InlineData("""{"ingress":[{"action":"Allow","destination":{"ports":[80]}}]}""", "spec.ingress[0].destination.ports")]
    [InlineData("""{"ingress":[{"action":"Allow","icmp":{"type":8}}]}""", "spec.ingress[0].icmp")]
    [InlineData("""{"ingress":[{"action":"Allow","protocol":"ICMP","icmp":{"code":1}}]}""", "spec.ingress[0].icmp.type")]
    [InlineData("""{"ingress":[{"action":"Allow","protocol":"TCP","destination":{"ports":["9:1"]}}]}""", "spec.ingress[0].destination.ports[0]")]
    [InlineData("""{"ingress":[{"action":"Allow","source":{"nets":["300.0.0.0/8"]}}]}""", "spec.ingress[0].source.nets[0]")]
    [InlineData("""{"ingress":[{"action":"Allow","ipVersion":6,"source":{"nets":["10.0.0.0/8"]}}]}""", "spec.ingress[0].source.nets")]
    [InlineData("""{"ingress":[{"action":"Allow","protocol":"Carrier-Pigeon"}]}""", "spec.ingress[0].protocol")]
    [InlineData("""{"ingress":[{"action":"Allow","http":{"methods":["GET"]}}]}""", "spec.ingress[0].http")]
    [InlineData("""{"ingress":[{"action":"Allow","destination":{"services":{"name":"x"}}}]}""", "spec.ingress[0].destination.services")]
    [InlineData("""{"types":["Egress"],"ingress":[{"action":"Allow"}]}""", "spec.ingress")]
    public void RejectsWhatCannotBeEnforced(string spec, string field)
    {
        var error = Assert.Throws<PolicyValidationException>(() => PolicyWorld.Convert(Gnp("bad", spec)).ToList());
        Assert.Equal(field, error.Field);
    }
}
