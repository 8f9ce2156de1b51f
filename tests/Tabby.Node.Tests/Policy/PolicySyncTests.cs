using Tabby.Datastore.Embedded;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Felix.Policy.Calculation;
using Tabby.Node.Dataplane;
using Tabby.Node.Policy;
using Xunit;

namespace Tabby.Node.Tests.Policy;

public sealed class PolicySyncTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tabby-policysync-" + Guid.NewGuid().ToString("N"));
    private EmbeddedDatastore _store = null!;
    private readonly PolicyCalculator _calculator = new();
    private PolicySync _sync = null!;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _store = new EmbeddedDatastore(_directory);
        _sync = new PolicySync("node-a", _calculator);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static Pod PodOf(string name, string node, string ip, string app) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name, Namespace = "shop", Labels = new() { ["app"] = app },
            Annotations = new() { [ClusterSnapshot.InterfaceAnnotation] = "cali" + name },
        },
        Spec = new PodSpec { NodeName = node },
        Status = new PodStatus { Phase = "Running", PodIP = ip, PodIPs = [new PodIPEntry { Ip = ip }] },
    };

    private static KubeNetworkPolicy AllowFrom(string name, string target, string from, int port) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "shop" },
        Spec = new KubeNetworkPolicySpec
        {
            PodSelector = new LabelSelectorSpec { MatchLabels = new() { ["app"] = target } },
            Ingress =
            [
                new KubeNetworkPolicyIngressRule
                {
                    From = [new KubeNetworkPolicyPeer { PodSelector = new LabelSelectorSpec { MatchLabels = new() { ["app"] = from } } }],
                    Ports = [new KubeNetworkPolicyPort { Protocol = "TCP", Port = new IntOrString(port) }],
                },
            ],
        },
    };

    [Fact]
    public async Task LocalPodsAreEndpointsOnTheirInterfaceAndRemotePodsAreSelectorMembersOnly()
    {
        await _store.CreateAsync(ResourceKinds.Pods, PodOf("web", "node-a", "198.18.0.2", "web"));
        await _store.CreateAsync(ResourceKinds.Pods, PodOf("client", "node-b", "198.18.0.66", "client"));
        await _store.CreateAsync(ResourceKinds.KubeNetworkPolicies, AllowFrom("web-from-client", "web", "client", 8080));

        Assert.Empty(await _sync.SyncAsync(_store, CancellationToken.None));

        var local = Assert.Single(_calculator.LocalEndpoints);
        Assert.Equal("shop/web", local.Key);
        Assert.Equal("caliweb", local.InterfaceName);
        Assert.Single(_calculator.PoliciesFor(local));
        Assert.Contains(_calculator.Selections, s => s.Members.Contains("shop/client"));
    }

    [Fact]
    public async Task OnlyWhatChangedReachesTheCalculator()
    {
        await _store.CreateAsync(ResourceKinds.Pods, PodOf("web", "node-a", "198.18.0.2", "web"));
        await _store.CreateAsync(ResourceKinds.Pods, PodOf("db", "node-a", "198.18.0.3", "db"));
        await _store.CreateAsync(ResourceKinds.KubeNetworkPolicies, AllowFrom("web-from-client", "web", "client", 8080));
        await _store.CreateAsync(ResourceKinds.KubeNetworkPolicies, AllowFrom("db-from-web", "db", "web", 5432));
        await _sync.SyncAsync(_store, CancellationToken.None);
        _calculator.TakeChanges();

        // Nothing changed: nothing to do.
        await _sync.SyncAsync(_store, CancellationToken.None);
        Assert.True(_calculator.TakeChanges().IsEmpty);

        // One policy's port changes: that policy only.
        var policy = (await _store.GetAsync(ResourceKinds.KubeNetworkPolicies, "db-from-web", "shop"))!;
        policy.Spec.Ingress![0].Ports![0].Port = new IntOrString(5433);
        await _store.UpdateAsync(ResourceKinds.KubeNetworkPolicies, policy);
        await _sync.SyncAsync(_store, CancellationToken.None);
        var changes = _calculator.TakeChanges();
        Assert.Single(changes.Policies);
        Assert.DoesNotContain("shop/web", changes.Endpoints);

        // A pod is deleted: its endpoint goes, the other pod's chains stay as they are.
        await _store.DeleteAsync(ResourceKinds.Pods, "db", "shop");
        await _sync.SyncAsync(_store, CancellationToken.None);
        changes = _calculator.TakeChanges();
        Assert.Contains("shop/db", changes.Endpoints);
        Assert.DoesNotContain("shop/web", changes.Endpoints);
        Assert.Equal(["shop/web"], _calculator.LocalEndpoints.Select(e => e.Key));
    }

    [Fact]
    public async Task ABadPolicyIsReportedByNameAndTheOthersStillApply()
    {
        await _store.CreateAsync(ResourceKinds.Pods, PodOf("web", "node-a", "198.18.0.2", "web"));
        await _store.CreateAsync(ResourceKinds.KubeNetworkPolicies, AllowFrom("good", "web", "client", 8080));
        await _store.CreateAsync(ResourceKinds.GlobalNetworkPolicies, new GlobalNetworkPolicy
        {
            Metadata = new ObjectMeta { Name = "bad-selector" },
            Spec = new GlobalNetworkPolicySpec { Selector = "app == ", Types = ["Ingress"] },
        });

        var problems = await _sync.SyncAsync(_store, CancellationToken.None);

        Assert.Contains("GlobalNetworkPolicy bad-selector", Assert.Single(problems), StringComparison.Ordinal);
        Assert.Single(_calculator.PoliciesFor(Assert.Single(_calculator.LocalEndpoints)));
    }
}
