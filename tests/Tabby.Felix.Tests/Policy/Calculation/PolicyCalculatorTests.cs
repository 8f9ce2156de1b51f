using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Model;
using Xunit;

namespace Tabby.Felix.Tests.Policy.Calculation;

/// <summary>The calculator marks exactly what an event affects: endpoints, policies, selections.</summary>
public sealed class PolicyCalculatorTests
{
    private static PolicyWorld WorldWithPolicies()
    {
        var world = PolicyWorld.Standard();
        world.Apply("""
            [{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"backend","namespace":"prod"},
              "spec":{"podSelector":{"matchLabels":{"app":"backend"}},"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"frontend"}}}]}]}},
             {"apiVersion":"projectcalico.org/v3","kind":"GlobalNetworkPolicy","metadata":{"name":"dev"},
              "spec":{"selector":"all()","namespaceSelector":"env == 'dev'","ingress":[{"action":"Allow","source":{"namespaceSelector":"env == 'prod'"}}]}}]
            """);
        world.Calculator.TakeChanges();
        return world;
    }

    [Fact]
    public void LabelChangeMarksOnlyTheSelectionsAndEndpointItAffects()
    {
        var world = WorldWithPolicies();
        world.Pod("prod/db", "198.18.0.3,2001:db8:1::3", true, [("app", "frontend")], interfaceName: "tp3");
        var changes = world.Calculator.TakeChanges();
        Assert.Empty(changes.Policies);
        Assert.Empty(changes.Endpoints); // db's policy list did not change (no policy selects app=frontend)
        var selection = Assert.Single(changes.Selections);
        Assert.Contains("app == \"frontend\"", selection, StringComparison.Ordinal);
        Assert.Contains("prod/db", world.Calculator.FindSelection(selection)!.Members);

        world.Pod("prod/db", "198.18.0.3,2001:db8:1::3", true, [("app", "backend")], interfaceName: "tp3");
        changes = world.Calculator.TakeChanges();
        Assert.Equal(["prod/db"], changes.Endpoints); // now selected by the backend policy
        Assert.Single(changes.Selections);             // left the frontend selection
    }

    [Fact]
    public void AddingAndRemovingAPodTouchesItsChainsAndItsSelections()
    {
        var world = WorldWithPolicies();
        world.Pod("prod/frontend2", "198.18.0.21", true, [("app", "frontend")], interfaceName: "tp21");
        var added = world.Calculator.TakeChanges();
        Assert.Equal(["prod/frontend2"], added.Endpoints);
        Assert.Equal(2, added.Selections.Count); // app=frontend in prod, and namespaces env=prod
        Assert.Empty(added.Policies);

        world.Calculator.RemoveEndpoint("prod/frontend2");
        var removed = world.Calculator.TakeChanges();
        Assert.Equal(["prod/frontend2"], removed.Endpoints);
        Assert.Equal(added.Selections, removed.Selections);
        Assert.Equal(["tp21"], removed.RemovedInterfaces);
    }

    [Fact]
    public void PolicyUpdateMarksThePolicyAndOnlyEndpointsWhoseListChanged()
    {
        var world = WorldWithPolicies();
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"backend","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"backend"}},"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"db"}}}]}]}}
            """);
        var changes = world.Calculator.TakeChanges();
        Assert.Equal(["prod/knp.default.backend"], changes.Policies);
        Assert.Empty(changes.Endpoints); // same endpoints, same order: endpoint chains stay
        Assert.Equal(2, changes.Selections.Count); // app=frontend dropped, app=db added

        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"backend","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"db"}},"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"db"}}}]}]}}
            """);
        changes = world.Calculator.TakeChanges();
        Assert.Equal(["prod/backend", "prod/db"], changes.Endpoints.Order(StringComparer.Ordinal));
        Assert.Empty(changes.Selections);
    }

    [Fact]
    public void NamespaceLabelChangeReevaluatesOnlyNamespaceSelections()
    {
        var world = WorldWithPolicies();
        world.Namespace("dev", ("env", "prod"));
        var changes = world.Calculator.TakeChanges();
        Assert.Equal(["dev/frontend"], changes.Endpoints); // the dev GNP no longer applies to it
        var selection = Assert.Single(changes.Selections); // dev/frontend joined "namespaces env=prod"
        Assert.Contains("dev/frontend", world.Calculator.FindSelection(selection)!.Members);
    }

    [Fact]
    public void SharedSelectionsAreReferenceCounted()
    {
        var world = WorldWithPolicies();
        world.Apply("""
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"db","namespace":"prod"},
             "spec":{"podSelector":{"matchLabels":{"app":"db"}},"ingress":[{"from":[{"podSelector":{"matchLabels":{"app":"frontend"}}}]}]}}
            """);
        Assert.Empty(world.Calculator.TakeChanges().Selections); // same selection as the backend policy
        world.Calculator.RemovePolicy("prod/knp.default.backend");
        Assert.Empty(world.Calculator.TakeChanges().Selections); // still used by db
        world.Calculator.RemovePolicy("prod/knp.default.db");
        var selection = Assert.Single(world.Calculator.TakeChanges().Selections);
        Assert.Null(world.Calculator.FindSelection(selection));
    }

    [Fact]
    public void TierOrderChangeResortsEveryLocalEndpoint()
    {
        var world = WorldWithPolicies();
        world.Calculator.UpsertTier(new Tier("security", 10));
        Assert.Equal(5, world.Calculator.TakeChanges().Endpoints.Count);
        world.Calculator.UpsertTier(new Tier("security", 10));
        Assert.True(world.Calculator.TakeChanges().IsEmpty);
    }

    [Fact]
    public void AddressConflictsAreRejected()
    {
        var world = PolicyWorld.Standard();
        var error = Assert.Throws<PolicyValidationException>(() => world.Pod("prod/copy", "198.18.0.1", true, [], interfaceName: "tp99"));
        Assert.Contains("prod/frontend", error.Message, StringComparison.Ordinal);
    }
}
