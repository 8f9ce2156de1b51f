using System.Text.Json.Nodes;
using Tabby.Datastore.Kubernetes;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Datastore.Tests.Conformance;
using Tabby.Testing.KubeApi;
using Xunit;

namespace Tabby.Datastore.Tests.Kubernetes;

/// <summary>Kubernetes-specific client behaviour, against the API-server emulator.</summary>
public sealed class KubernetesDatastoreTests : IAsyncLifetime
{
    private KubeApiServer _server = null!;
    private KubernetesDatastore _store = null!;

    public async Task InitializeAsync()
    {
        _server = await KubeApiServer.StartAsync();
        _store = Connect("secret-token");
        _server.RequiredBearerToken = "secret-token";
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _server.DisposeAsync();
    }

    private KubernetesDatastore Connect(string token) =>
        new(new KubernetesConnection { Server = _server.Url, BearerToken = token, Source = "test" }, KubernetesConformanceTests.TestOptions);

    private static IPPool Pool(string name) => new() { Metadata = new ObjectMeta { Name = name }, Spec = new IPPoolSpec { Cidr = "198.18.0.0/16" } };

    [Fact]
    public async Task Wrong_token_is_reported_as_unauthorized()
    {
        await using var intruder = Connect("wrong");
        var error = await Assert.ThrowsAsync<DatastoreException>(() => intruder.GetAsync(ResourceKinds.IPPools, "x"));
        Assert.Contains("unauthorized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttled_and_failed_reads_are_retried_but_failed_writes_are_not()
    {
        await _store.CreateAsync(ResourceKinds.IPPools, Pool("a"));
        var before = _server.RequestCount;
        _server.FailNextRequests(429, 503);
        Assert.NotNull(await _store.GetAsync(ResourceKinds.IPPools, "a"));
        Assert.Equal(before + 3, _server.RequestCount);

        // A 429 means the server did nothing: safe to retry a write too.
        _server.FailNextRequests(429);
        await _store.CreateAsync(ResourceKinds.IPPools, Pool("b"));

        // A 500 on a write may or may not have been applied: surfaced, not retried.
        _server.FailNextRequests(500);
        var read = (await _store.GetAsync(ResourceKinds.IPPools, "b"))!;
        var after = _server.RequestCount;
        _server.FailNextRequests(500);
        read.Spec.Disabled = true;
        await Assert.ThrowsAsync<DatastoreUnavailableException>(() => _store.UpdateAsync(ResourceKinds.IPPools, read));
        Assert.Equal(after + 1, _server.RequestCount);
    }

    [Fact]
    public async Task Bookmarks_carry_the_latest_revision()
    {
        var list = await _store.ListAsync(ResourceKinds.IPPools);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watch = _store.WatchAsync(ResourceKinds.IPPools, new WatchOptions { Revision = list.Revision, AllowBookmarks = true }, cts.Token).GetAsyncEnumerator(cts.Token);
        // Changes of another kind advance the revision without events for this watch.
        await _store.CreateAsync(ResourceKinds.BGPPeers, new BGPPeer { Metadata = new ObjectMeta { Name = "p" }, Spec = new BGPPeerSpec { PeerIP = "192.0.2.1", AsNumber = 64512 } });
        while (true)
        {
            Assert.True(await watch.MoveNextAsync());
            if (watch.Current.Type == WatchEventType.Bookmark && long.Parse(watch.Current.Revision) >= _server.Revision)
            {
                break;
            }
        }

        await watch.DisposeAsync();
    }

    [Fact]
    public async Task Watch_that_cannot_resume_reports_revision_too_old()
    {
        var list = await _store.ListAsync(ResourceKinds.IPPools);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watch = _store.WatchAsync(ResourceKinds.IPPools, new WatchOptions { Revision = list.Revision }, cts.Token).GetAsyncEnumerator(cts.Token);
        await _store.CreateAsync(ResourceKinds.IPPools, Pool("a"));
        Assert.True(await watch.MoveNextAsync());

        // While the connection is down (reconnects fail for a while) the server moves on and forgets
        // the history the watch would resume from.
        _server.RefuseWatches = true;
        _server.DropWatchConnections();
        _server.Seed("crd.projectcalico.org/v1", "ippools", JsonNode.Parse("""{"metadata":{"name":"b"},"spec":{"cidr":"198.19.0.0/16"}}""")!.AsObject());
        _server.Compact();
        _server.RefuseWatches = false;
        await Assert.ThrowsAsync<RevisionTooOldException>(async () => await watch.MoveNextAsync());
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task Calico_node_is_kept_as_annotations_on_the_kubernetes_node()
    {
        _server.Seed("v1", "nodes", JsonNode.Parse("""
            {"metadata":{"name":"node-1","labels":{"rack":"r1"},"annotations":{"kubeadm.alpha.kubernetes.io/cri-socket":"x"}},
             "status":{"addresses":[{"type":"InternalIP","address":"192.0.2.10"}]}}
            """)!.AsObject());
        var calico = await _store.GetAsync(ResourceKinds.CalicoNodes, "node-1");
        Assert.NotNull(calico);
        Assert.Null(calico.Spec.Bgp);
        Assert.Equal("192.0.2.10", calico.Spec.Addresses![0].Address);

        calico.Spec.Bgp = new NodeBgpSpec { IPv4Address = "192.0.2.10/24", AsNumber = 64512, RouteReflectorClusterId = "224.0.0.1" };
        calico.Spec.VxlanTunnelMacAddr = "66:aa:bb:cc:dd:ee";
        var updated = await _store.UpdateAsync(ResourceKinds.CalicoNodes, calico);
        var node = (await _store.GetAsync(ResourceKinds.KubeNodes, "node-1"))!;
        Assert.Equal(node.Metadata.ResourceVersion, updated.Metadata.ResourceVersion);
        Assert.Equal("192.0.2.10/24", node.Metadata.Annotations![CalicoNodeAnnotations.IPv4Address]);
        Assert.Equal("64512", node.Metadata.Annotations[CalicoNodeAnnotations.AsNumber]);
        Assert.Equal("224.0.0.1", node.Metadata.Annotations[CalicoNodeAnnotations.RouteReflectorClusterId]);
        Assert.Equal("x", node.Metadata.Annotations["kubeadm.alpha.kubernetes.io/cri-socket"]);

        // Stale writes lose; the list and the annotations agree.
        calico.Spec.Bgp.AsNumber = 65000;
        await Assert.ThrowsAsync<ResourceConflictException>(() => _store.UpdateAsync(ResourceKinds.CalicoNodes, calico));
        var listed = Assert.Single((await _store.ListAsync(ResourceKinds.CalicoNodes)).Items);
        Assert.Equal(64512u, listed.Spec.Bgp!.AsNumber);
        await Assert.ThrowsAsync<ResourceAlreadyExistsException>(() => _store.CreateAsync(ResourceKinds.CalicoNodes, listed));

        var deleted = await _store.DeleteAsync(ResourceKinds.CalicoNodes, "node-1");
        Assert.Equal("192.0.2.10/24", deleted.Spec.Bgp!.IPv4Address);
        node = (await _store.GetAsync(ResourceKinds.KubeNodes, "node-1"))!;
        Assert.DoesNotContain(CalicoNodeAnnotations.IPv4Address, node.Metadata.Annotations!.Keys);
        Assert.Equal("r1", node.Metadata.Labels!["rack"]);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => _store.CreateAsync(ResourceKinds.CalicoNodes,
            new CalicoNode { Metadata = new ObjectMeta { Name = "no-such-node" } }));
    }

    [Fact]
    public async Task Invalid_object_maps_to_resource_invalid()
    {
        var error = await Assert.ThrowsAsync<ResourceInvalidException>(() => _store.CreateAsync(ResourceKinds.IPPools, Pool("")));
        Assert.Contains("metadata.name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CalicoNodeStatus_status_changes_only_through_the_status_subresource()
    {
        var created = await _store.CreateAsync(ResourceKinds.CalicoNodeStatuses, new CalicoNodeStatus
        {
            Metadata = new ObjectMeta { Name = "node-a" },
            Spec = new CalicoNodeStatusSpec { Node = "node-a", Classes = ["BGP"], UpdatePeriodSeconds = 10 },
        });

        created.Status = new CalicoNodeStatusStatus { Bgp = new NodeBgpStatus { NumberEstablishedV4 = 2 } };
        var viaMain = await _store.UpdateAsync(ResourceKinds.CalicoNodeStatuses, created);
        Assert.Null(viaMain.Status?.Bgp); // as the API server does for a CRD with a status subresource

        viaMain.Status = new CalicoNodeStatusStatus { Bgp = new NodeBgpStatus { NumberEstablishedV4 = 3 } };
        viaMain.Spec.UpdatePeriodSeconds = 99; // not written by a status update
        var viaStatus = await _store.UpdateStatusAsync(ResourceKinds.CalicoNodeStatuses, viaMain);
        Assert.Equal(3, viaStatus.Status!.Bgp!.NumberEstablishedV4);
        Assert.Equal(10, viaStatus.Spec.UpdatePeriodSeconds);

        // The resourceVersion is still a precondition.
        await Assert.ThrowsAsync<ResourceConflictException>(() => _store.UpdateStatusAsync(ResourceKinds.CalicoNodeStatuses, viaMain));
    }
}
