using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tabby.Datastore.Etcd;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Tests.Conformance;
using Xunit;

namespace Tabby.Datastore.Tests.Etcd;

/// <summary>Objects land at Calico's etcdv3 keys, and the client fails over between endpoints.</summary>
public sealed class EtcdLayoutTests(EtcdServerFixture server) : IClassFixture<EtcdServerFixture>
{
    private async Task<JsonElement?> RawGetAsync(string key)
    {
        using var http = new HttpClient { BaseAddress = server.Server.ClientUrl };
        var body = new JsonObject { ["key"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(key)) };
        using var response = await http.PostAsync("/v3/kv/range", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (!doc.RootElement.TryGetProperty("kvs", out var kvs))
        {
            return null;
        }

        using var value = JsonDocument.Parse(Convert.FromBase64String(kvs[0].GetProperty("value").GetString()!));
        return value.RootElement.Clone();
    }

    [Fact]
    public async Task Keys_follow_calico_etcdv3_layout()
    {
        var prefix = "/layout-" + Guid.NewGuid().ToString("N");
        await using var store = new EtcdDatastore(new EtcdOptions { Endpoints = [server.Server.ClientUrl], KeyPrefix = prefix });
        await store.CreateAsync(ResourceKinds.IPPools, new IPPool { Metadata = new ObjectMeta { Name = "pool-1" }, Spec = new IPPoolSpec { Cidr = "10.0.0.0/16" } });
        await store.CreateAsync(ResourceKinds.IPAMBlocks, new IPAMBlock { Metadata = new ObjectMeta { Name = "10-0-0-0-26" }, Spec = new IPAMBlockSpec { Cidr = "10.0.0.0/26" } });
        await store.CreateAsync(ResourceKinds.IPAMBlocks, new IPAMBlock { Metadata = new ObjectMeta { Name = "fd00---122" }, Spec = new IPAMBlockSpec { Cidr = "fd00::/122" } });
        await store.CreateAsync(ResourceKinds.BlockAffinities, new BlockAffinity
        {
            Metadata = new ObjectMeta { Name = ResourceNames.AffinityName("node-1", "10.0.0.0/26") },
            Spec = new BlockAffinitySpec { Node = "node-1", Cidr = "10.0.0.0/26", State = BlockAffinityStates.Confirmed },
        });
        await store.CreateAsync(ResourceKinds.IPAMHandles, new IPAMHandle { Metadata = new ObjectMeta { Name = "k8s-pod-network.abc" }, Spec = new IPAMHandleSpec { HandleId = "k8s-pod-network.abc" } });
        await store.CreateAsync(ResourceKinds.IPAMConfigs, new IPAMConfig { Metadata = new ObjectMeta { Name = "default" } });
        await store.CreateAsync(ResourceKinds.NetworkPolicies, new CalicoNetworkPolicy { Metadata = new ObjectMeta { Name = "np", Namespace = "web" } });

        var pool = await RawGetAsync(prefix + "/calico/resources/v3/projectcalico.org/ippools/pool-1");
        Assert.Equal("projectcalico.org/v3", pool!.Value.GetProperty("apiVersion").GetString());
        Assert.False(pool.Value.GetProperty("metadata").TryGetProperty("resourceVersion", out _));
        // IPAM values are Calico's bare models: identity in the key, no metadata.
        var block = (await RawGetAsync(prefix + "/calico/ipam/v2/assignment/ipv4/block/10-0-0-0-26"))!.Value;
        Assert.Equal("10.0.0.0/26", block.GetProperty("cidr").GetString());
        Assert.False(block.TryGetProperty("metadata", out _));
        Assert.NotNull(await RawGetAsync(prefix + "/calico/ipam/v2/assignment/ipv6/block/fd00---122"));
        var affinity = (await RawGetAsync(prefix + "/calico/ipam/v2/host/node-1/ipv4/block/10-0-0-0-26"))!.Value;
        Assert.Equal(("confirmed", JsonValueKind.False), (affinity.GetProperty("state").GetString(), affinity.GetProperty("deleted").ValueKind));
        var handle = (await RawGetAsync(prefix + "/calico/ipam/v2/handle/k8s-pod-network.abc"))!.Value;
        Assert.Equal(JsonValueKind.Object, handle.GetProperty("block").ValueKind);
        var config = (await RawGetAsync(prefix + "/calico/ipam/v2/config"))!.Value;
        Assert.True(config.GetProperty("auto_allocate_blocks").GetBoolean());
        Assert.False(config.GetProperty("strict_affinity").GetBoolean());
        Assert.NotNull(await RawGetAsync(prefix + "/calico/resources/v3/projectcalico.org/networkpolicies/web/np"));

        // Found again by name (the affinity through its node/cidr split), listed without strays.
        Assert.NotNull(await store.GetAsync(ResourceKinds.BlockAffinities, "node-1-10-0-0-0-26"));
        Assert.NotNull(await store.GetAsync(ResourceKinds.IPAMBlocks, "fd00---122"));
        Assert.Equal(2, (await store.ListAsync(ResourceKinds.IPAMBlocks)).Items.Count);
        Assert.Single((await store.ListAsync(ResourceKinds.IPAMConfigs)).Items);
        var pool1 = (await store.GetAsync(ResourceKinds.IPPools, "pool-1"))!;
        Assert.Equal("crd.projectcalico.org/v1", pool1.ApiVersion);
        await Assert.ThrowsAsync<Tabby.Datastore.Store.ResourceInvalidException>(() =>
            store.CreateAsync(ResourceKinds.IPAMConfigs, new IPAMConfig { Metadata = new ObjectMeta { Name = "other" } }));
    }

    [Fact]
    public async Task Reads_ipam_state_written_by_calico()
    {
        var prefix = "/calico-written-" + Guid.NewGuid().ToString("N");
        await RawPutAsync(prefix + "/calico/ipam/v2/assignment/ipv4/block/10-1-0-0-30", """
            {"cidr":"10.1.0.0/30","affinity":"host:node-9","strictAffinity":false,"allocations":[0,null,null,null],"unallocated":[1,2,3],
             "attributes":[{"handle_id":"k8s-pod-network.x","secondary":{"namespace":"default","pod":"web"}}],"deleted":false,"sequenceNumber":4}
            """);
        await RawPutAsync(prefix + "/calico/ipam/v2/host/node-9/ipv4/block/10-1-0-0-30", """{"state":"confirmed","deleted":false}""");
        await RawPutAsync(prefix + "/calico/ipam/v2/handle/k8s-pod-network.x", """{"block":{"10.1.0.0/30":1},"deleted":false}""");
        await RawPutAsync(prefix + "/calico/ipam/v2/config", """{"strict_affinity":true}""");
        await using var store = new EtcdDatastore(new EtcdOptions { Endpoints = [server.Server.ClientUrl], KeyPrefix = prefix });

        var block = (await store.GetAsync(ResourceKinds.IPAMBlocks, "10-1-0-0-30"))!;
        Assert.Equal(("host:node-9", 4UL), (block.Spec.Affinity, block.Spec.SequenceNumber));
        Assert.Equal("k8s-pod-network.x", block.Spec.Attributes[0].HandleId);
        var affinity = Assert.Single((await store.ListAsync(ResourceKinds.BlockAffinities)).Items);
        Assert.Equal(("node-9-10-1-0-0-30", "node-9", "10.1.0.0/30", "false"), (affinity.Name, affinity.Spec.Node, affinity.Spec.Cidr, affinity.Spec.Deleted));
        var handle = (await store.GetAsync(ResourceKinds.IPAMHandles, "k8s-pod-network.x"))!;
        Assert.Equal(("k8s-pod-network.x", 1), (handle.Spec.HandleId, handle.Spec.Block["10.1.0.0/30"]));
        var config = (await store.GetAsync(ResourceKinds.IPAMConfigs, "default"))!;
        Assert.True(config.Spec.StrictAffinity);

        // Compare-and-swap works on them like on anything else.
        affinity.Spec.State = BlockAffinityStates.PendingDeletion;
        var updated = await store.UpdateAsync(ResourceKinds.BlockAffinities, affinity);
        await Assert.ThrowsAsync<Tabby.Datastore.Store.ResourceConflictException>(() => store.UpdateAsync(ResourceKinds.BlockAffinities, affinity));
        await store.DeleteAsync(ResourceKinds.BlockAffinities, updated.Name, options: new Tabby.Datastore.Store.DeleteOptions { Uid = updated.Metadata.Uid });
        Assert.Null(await RawGetAsync(prefix + "/calico/ipam/v2/host/node-9/ipv4/block/10-1-0-0-30"));
    }

    private async Task RawPutAsync(string key, string value)
    {
        using var http = new HttpClient { BaseAddress = server.Server.ClientUrl };
        var body = new JsonObject
        {
            ["key"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(key)),
            ["value"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)),
        };
        using var response = await http.PostAsync("/v3/kv/put", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Fails_over_to_the_next_endpoint()
    {
        var dead = new Uri($"http://127.0.0.1:{Tabby.Testing.Daemons.FreePort.Next()}");
        await using var store = new EtcdDatastore(new EtcdOptions
        {
            Endpoints = [dead, server.Server.ClientUrl],
            KeyPrefix = "/failover-" + Guid.NewGuid().ToString("N"),
            RequestTimeout = TimeSpan.FromSeconds(2),
        });
        var created = await store.CreateAsync(ResourceKinds.Tiers, new Tier { Metadata = new ObjectMeta { Name = "security" }, Spec = new TierSpec { Order = 100 } });
        Assert.Equal(100, (await store.GetAsync(ResourceKinds.Tiers, "security"))!.Spec.Order);
        Assert.NotNull(created.Metadata.Uid);
    }

    [Fact]
    public async Task Unreachable_etcd_is_unavailable()
    {
        await using var store = new EtcdDatastore(new EtcdOptions
        {
            Endpoints = [new Uri($"http://127.0.0.1:{Tabby.Testing.Daemons.FreePort.Next()}")],
            RequestTimeout = TimeSpan.FromSeconds(2),
        });
        var error = await Assert.ThrowsAsync<Tabby.Datastore.Store.DatastoreUnavailableException>(() => store.GetAsync(ResourceKinds.IPPools, "x"));
        Assert.Contains("no endpoint answered", error.Message, StringComparison.Ordinal);
    }
}
