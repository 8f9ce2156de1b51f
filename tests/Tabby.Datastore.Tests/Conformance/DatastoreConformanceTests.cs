using System.Globalization;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Datastore.Store;
using Xunit;

namespace Tabby.Datastore.Tests.Conformance;

/// <summary>
/// The one behaviour contract of <see cref="IDatastore"/>, run against every backend: CAS under
/// contention, ordered watch, resume, deletes, preconditions, large lists, selectors, too-old revisions.
/// </summary>
public abstract class DatastoreConformanceTests : IAsyncLifetime
{
    private static readonly TimeSpan WatchTimeout = TimeSpan.FromSeconds(20);
    private readonly List<IDatastore> _stores = [];

    protected abstract IDatastoreFixture Fixture { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        await Fixture.DisposeAsync();
    }

    private async Task<IDatastore> NewStoreAsync()
    {
        var store = await Fixture.CreateStoreAsync();
        _stores.Add(store);
        return store;
    }

    private static IPPool Pool(string name, string cidr, Dictionary<string, string>? labels = null) =>
        new() { Metadata = new ObjectMeta { Name = name, Labels = labels }, Spec = new IPPoolSpec { Cidr = cidr, BlockSize = 26 } };

    private static long Rev(string? revision) => long.Parse(revision!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Create_get_update_delete_round_trip()
    {
        var store = await NewStoreAsync();
        var created = await store.CreateAsync(Pool("pool-a", "198.18.0.0/16"));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.Equal("IPPool", created.Kind);

        var read = await store.GetAsync<IPPool>("pool-a");
        Assert.NotNull(read);
        Assert.Equal("198.18.0.0/16", read.Spec.Cidr);
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);

        read.Spec.NatOutgoing = true;
        var updated = await store.UpdateAsync(read);
        Assert.True(Rev(updated.Metadata.ResourceVersion) > Rev(created.Metadata.ResourceVersion));
        Assert.Equal(created.Metadata.Uid, updated.Metadata.Uid);
        Assert.True((await store.GetAsync<IPPool>("pool-a"))!.Spec.NatOutgoing);

        var deleted = await store.DeleteAsync<IPPool>("pool-a");
        Assert.Equal("pool-a", deleted.Name);
        Assert.Null(await store.GetAsync<IPPool>("pool-a"));
    }

    [Fact]
    public async Task Errors_are_typed()
    {
        var store = await NewStoreAsync();
        var created = await store.CreateAsync(Pool("pool-a", "198.18.0.0/16"));
        await Assert.ThrowsAsync<ResourceAlreadyExistsException>(() => store.CreateAsync(Pool("pool-a", "198.18.0.0/16")));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => store.DeleteAsync<IPPool>("missing"));
        var missing = Pool("missing", "198.19.0.0/16");
        missing.Metadata.ResourceVersion = created.Metadata.ResourceVersion;
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => store.UpdateAsync(missing));

        var first = (await store.GetAsync<IPPool>("pool-a"))!;
        var second = (await store.GetAsync<IPPool>("pool-a"))!;
        first.Spec.Disabled = true;
        await store.UpdateAsync(first);
        second.Spec.NatOutgoing = true;
        await Assert.ThrowsAsync<ResourceConflictException>(() => store.UpdateAsync(second));
    }

    [Fact]
    public async Task Delete_preconditions_on_uid_and_resource_version()
    {
        var store = await NewStoreAsync();
        var original = await store.CreateAsync(Pool("pool-a", "198.18.0.0/16"));
        await store.DeleteAsync<IPPool>("pool-a");
        var recreated = await store.CreateAsync(Pool("pool-a", "198.18.0.0/16"));
        Assert.NotEqual(original.Metadata.Uid, recreated.Metadata.Uid);

        // A delete aimed at the old object must not remove its namesake.
        await Assert.ThrowsAsync<ResourceConflictException>(() =>
            store.DeleteAsync<IPPool>("pool-a", options: new DeleteOptions { Uid = original.Metadata.Uid }));
        await Assert.ThrowsAsync<ResourceConflictException>(() =>
            store.DeleteAsync<IPPool>("pool-a", options: new DeleteOptions { ResourceVersion = original.Metadata.ResourceVersion }));
        Assert.NotNull(await store.GetAsync<IPPool>("pool-a"));

        await store.DeleteAsync<IPPool>("pool-a", options: new DeleteOptions
        {
            Uid = recreated.Metadata.Uid,
            ResourceVersion = recreated.Metadata.ResourceVersion,
        });
        Assert.Null(await store.GetAsync<IPPool>("pool-a"));
    }

    [Fact]
    public async Task Compare_and_swap_under_contention_loses_no_update()
    {
        var store = await NewStoreAsync();
        var other = await Fixture.CreateSecondClientAsync(store);
        _stores.Add(other);
        await store.CreateAsync(new IPAMHandle
        {
            Metadata = new ObjectMeta { Name = "counter" },
            Spec = new IPAMHandleSpec { HandleId = "counter", Block = new Dictionary<string, int> { ["n"] = 0 } },
        });

        const int writers = 6, incrementsEach = 12;
        var conflicts = 0;
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var client = w % 2 == 0 ? store : other;
            for (var i = 0; i < incrementsEach; i++)
            {
                while (true)
                {
                    var handle = (await client.GetAsync<IPAMHandle>("counter"))!;
                    handle.Spec.Block["n"]++;
                    handle.Spec.Block["w" + w] = handle.Spec.Block.GetValueOrDefault("w" + w) + 1;
                    try
                    {
                        await client.UpdateAsync(handle);
                        break;
                    }
                    catch (ResourceConflictException)
                    {
                        Interlocked.Increment(ref conflicts);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        var final = (await store.GetAsync<IPAMHandle>("counter"))!;
        Assert.Equal(writers * incrementsEach, final.Spec.Block["n"]);
        for (var w = 0; w < writers; w++)
        {
            Assert.Equal(incrementsEach, final.Spec.Block["w" + w]);
        }
    }

    [Fact]
    public async Task Mutate_retries_conflicts_and_skips_no_op_changes()
    {
        var store = await NewStoreAsync();
        await store.CreateAsync(Pool("m", "198.18.0.0/24"));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                await store.MutateAsync(ResourceKinds.IPPools, "m", null, p =>
                {
                    p.Spec.BlockSize = (p.Spec.BlockSize ?? 0) + 1;
                    return true;
                });
            }
        })));
        var final = (await store.GetAsync<IPPool>("m"))!;
        Assert.Equal(26 + 20, final.Spec.BlockSize); // Pool() starts at 26
        var unchanged = await store.MutateAsync(ResourceKinds.IPPools, "m", null, _ => false);
        Assert.Equal(final.Metadata.ResourceVersion, unchanged.Metadata.ResourceVersion);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => store.MutateAsync(ResourceKinds.IPPools, "absent", null, _ => true));
    }

    [Fact]
    public async Task Concurrent_random_writes_replayed_from_the_watch_give_the_final_state()
    {
        var store = await NewStoreAsync();
        var other = await Fixture.CreateSecondClientAsync(store);
        _stores.Add(other);
        var start = await store.ListAsync<IPAMHandle>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new List<WatchEvent<IPAMHandle>>();
        var sawMarker = new TaskCompletionSource();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in other.WatchAsync(ResourceKinds.IPAMHandles, new WatchOptions { Revision = start.Revision }, cts.Token))
            {
                events.Add(e);
                if (e.Object?.Name == "marker")
                {
                    sawMarker.TrySetResult();
                }
            }
        });

        var successes = 0;
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var client = w % 2 == 0 ? store : other;
            var random = new Random(w);
            for (var i = 0; i < 20; i++)
            {
                var name = "h" + random.Next(4);
                try
                {
                    var current = await client.GetAsync<IPAMHandle>(name);
                    if (current is null)
                    {
                        await client.CreateAsync(new IPAMHandle { Metadata = new ObjectMeta { Name = name }, Spec = new IPAMHandleSpec { HandleId = name, Block = new() { ["n"] = 0 } } });
                    }
                    else if (random.Next(4) == 0)
                    {
                        await client.DeleteAsync<IPAMHandle>(name, options: new DeleteOptions { ResourceVersion = current.Metadata.ResourceVersion });
                    }
                    else
                    {
                        current.Spec.Block["n"]++;
                        await client.UpdateAsync(current);
                    }

                    Interlocked.Increment(ref successes);
                }
                catch (Exception e) when (e is ResourceConflictException or ResourceAlreadyExistsException or ResourceNotFoundException)
                {
                    // Lost a race: exactly what compare-and-swap is for.
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        await store.CreateAsync(new IPAMHandle { Metadata = new ObjectMeta { Name = "marker" }, Spec = new IPAMHandleSpec { HandleId = "marker" } });
        await sawMarker.Task.WaitAsync(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);

        // One event per successful write, in strictly increasing revision order...
        var changes = events.Where(e => e.Type != WatchEventType.Bookmark).ToList();
        Assert.Equal(successes + 1, changes.Count);
        Assert.True(changes.Zip(changes.Skip(1)).All(p => Rev(p.First.Revision) < Rev(p.Second.Revision)), "revisions not increasing");

        // ...and replaying them gives exactly what the store now holds.
        var replayed = new Dictionary<string, IPAMHandle>();
        foreach (var e in changes)
        {
            if (e.Type == WatchEventType.Deleted)
            {
                Assert.True(replayed.Remove(e.Object!.Name), $"delete of {e.Object!.Name} that was not there");
            }
            else
            {
                Assert.Equal(e.Type == WatchEventType.Added, !replayed.ContainsKey(e.Object!.Name));
                replayed[e.Object!.Name] = e.Object;
            }
        }

        var final = await store.ListAsync<IPAMHandle>();
        Assert.Equal(final.Items.Select(h => (h.Name, h.Metadata.ResourceVersion, h.Spec.Block.GetValueOrDefault("n"))).OrderBy(x => x.Name),
            replayed.Values.Select(h => (h.Name, h.Metadata.ResourceVersion, h.Spec.Block.GetValueOrDefault("n"))).OrderBy(x => x.Name));
    }

    [Fact]
    public async Task Watch_from_list_revision_sees_every_change_in_order()
    {
        var store = await NewStoreAsync();
        await store.CreateAsync(Pool("before", "198.18.0.0/24"));
        var list = await store.ListAsync<IPPool>();
        Assert.Single(list.Items);

        using var cts = new CancellationTokenSource(WatchTimeout);
        var watch = store.WatchAsync(ResourceKinds.IPPools, new WatchOptions { Revision = list.Revision }, cts.Token).GetAsyncEnumerator(cts.Token);

        var expected = new List<(WatchEventType, string, string)>();
        for (var i = 0; i < 10; i++)
        {
            var p = await store.CreateAsync(Pool("p" + i, $"198.18.{i + 1}.0/24"));
            expected.Add((WatchEventType.Added, p.Name, p.Metadata.ResourceVersion!));
        }

        for (var i = 0; i < 10; i += 2)
        {
            var p = (await store.GetAsync<IPPool>("p" + i))!;
            p.Spec.Disabled = true;
            p = await store.UpdateAsync(p);
            expected.Add((WatchEventType.Modified, p.Name, p.Metadata.ResourceVersion!));
        }

        var deleted = await store.DeleteAsync<IPPool>("p3");
        expected.Add((WatchEventType.Deleted, "p3", deleted.Metadata.ResourceVersion!));
        // Another kind's change is not delivered to an IPPool watch.
        await store.CreateAsync(new BGPPeer { Metadata = new ObjectMeta { Name = "peer" }, Spec = new BGPPeerSpec { PeerIP = "192.0.2.1", AsNumber = 64512 } });

        var seen = await TakeAsync(watch, expected.Count);
        Assert.Equal(expected, seen.Select(e => (e.Type, e.Object!.Name, e.Revision)).ToList());
        Assert.True(seen.Zip(seen.Skip(1)).All(pair => Rev(pair.First.Revision) < Rev(pair.Second.Revision)));
        var deletedEvent = seen.Single(e => e.Type == WatchEventType.Deleted);
        Assert.Equal("198.18.4.0/24", deletedEvent.Object!.Spec.Cidr);
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task Watch_resumes_from_a_revision_after_disconnect()
    {
        var store = await NewStoreAsync();
        var first = await store.CreateAsync(Pool("p0", "198.18.0.0/24"));
        await store.CreateAsync(Pool("p1", "198.18.1.0/24"));
        await store.CreateAsync(Pool("p2", "198.18.2.0/24"));

        // A new watch from an older revision replays what came after it.
        using var cts = new CancellationTokenSource(WatchTimeout);
        var watch = store.WatchAsync(ResourceKinds.IPPools, new WatchOptions { Revision = first.Metadata.ResourceVersion }, cts.Token)
            .GetAsyncEnumerator(cts.Token);
        var replay = await TakeAsync(watch, 2);
        Assert.Equal(["p1", "p2"], replay.Select(e => e.Object!.Name));

        // A broken connection is repaired inside the watch: nothing lost, nothing repeated.
        await Fixture.DisconnectWatchesAsync(store);
        await store.CreateAsync(Pool("p3", "198.18.3.0/24"));
        await Fixture.DisconnectWatchesAsync(store);
        await store.CreateAsync(Pool("p4", "198.18.4.0/24"));
        var after = await TakeAsync(watch, 2);
        Assert.Equal(["p3", "p4"], after.Select(e => e.Object!.Name));
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task Watch_from_a_compacted_revision_is_too_old_and_relist_recovers()
    {
        var store = await NewStoreAsync();
        var old = await store.CreateAsync(Pool("p0", "198.18.0.0/24"));
        for (var i = 1; i < 5; i++)
        {
            var p = (await store.GetAsync<IPPool>("p0"))!;
            p.Spec.BlockSize = 26 + i;
            await store.UpdateAsync(p);
        }

        await Fixture.CompactAsync(store);
        await Assert.ThrowsAsync<RevisionTooOldException>(async () =>
        {
            using var cts = new CancellationTokenSource(WatchTimeout);
            await foreach (var _ in store.WatchAsync(ResourceKinds.IPPools, new WatchOptions { Revision = old.Metadata.ResourceVersion }, cts.Token))
            {
            }
        });

        var list = await store.ListAsync<IPPool>();
        using var cts2 = new CancellationTokenSource(WatchTimeout);
        var watch = store.WatchAsync(ResourceKinds.IPPools, new WatchOptions { Revision = list.Revision }, cts2.Token).GetAsyncEnumerator(cts2.Token);
        await store.CreateAsync(Pool("p1", "198.18.1.0/24"));
        var next = await TakeAsync(watch, 1);
        Assert.Equal("p1", next[0].Object!.Name);
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task List_and_watch_recovers_from_compaction_with_only_the_difference()
    {
        var store = await NewStoreAsync();
        await store.CreateAsync(Pool("keep", "198.18.0.0/24"));
        await store.CreateAsync(Pool("change", "198.18.1.0/24"));
        await store.CreateAsync(Pool("remove", "198.18.2.0/24"));
        using var cts = new CancellationTokenSource(WatchTimeout);
        var events = store.ListAndWatchAsync(ResourceKinds.IPPools, cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var initial = await TakeUntilBookmarkAsync(events);
        Assert.Equal(["change", "keep", "remove"], initial.Select(e => e.Object!.Name).Order());
        Assert.All(initial, e => Assert.Equal(WatchEventType.Added, e.Type));

        // The watch starts lazily after the bookmark: change things and compact before it does,
        // so it starts from a revision that is gone and must list again.
        var change = (await store.GetAsync<IPPool>("change"))!;
        change.Spec.Disabled = true;
        await store.UpdateAsync(change);
        await store.DeleteAsync<IPPool>("remove");
        await store.CreateAsync(Pool("new", "198.18.3.0/24"));
        await Fixture.CompactAsync(store);

        var difference = await TakeUntilBookmarkAsync(events);
        Assert.Equal([(WatchEventType.Added, "new"), (WatchEventType.Modified, "change"), (WatchEventType.Deleted, "remove")],
            difference.Select(e => (e.Type, e.Object!.Name)).OrderBy(e => e.Type));
        Assert.True(difference.Single(e => e.Object!.Name == "change").Object!.Spec.Disabled);

        // And it carries on watching from the new list.
        await store.CreateAsync(Pool("after", "198.18.4.0/24"));
        Assert.True(await events.MoveNextAsync());
        Assert.Equal((WatchEventType.Added, "after"), (events.Current.Type, events.Current.Object!.Name));
        await events.DisposeAsync();
    }

    private static async Task<List<WatchEvent<T>>> TakeUntilBookmarkAsync<T>(IAsyncEnumerator<WatchEvent<T>> events) where T : Resource
    {
        var taken = new List<WatchEvent<T>>();
        while (true)
        {
            Assert.True(await events.MoveNextAsync());
            if (events.Current.Type == WatchEventType.Bookmark)
            {
                return taken;
            }

            taken.Add(events.Current);
        }
    }

    [Fact]
    public async Task Large_lists_are_complete()
    {
        var store = await NewStoreAsync();
        const int count = 300;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
            await store.CreateAsync(new IPAMHandle
            {
                Metadata = new ObjectMeta { Name = $"k8s-pod-network.{i:D5}" },
                Spec = new IPAMHandleSpec { HandleId = $"k8s-pod-network.{i:D5}", Block = new Dictionary<string, int> { ["198.18.0.0/26"] = 1 } },
            }, ct));
        var list = await store.ListAsync<IPAMHandle>();
        Assert.Equal(count, list.Items.Count);
        Assert.Equal(count, list.Items.Select(h => h.Name).Distinct().Count());
    }

    [Fact]
    public async Task Label_and_field_selectors_filter_lists_and_watches()
    {
        var store = await NewStoreAsync();
        await store.CreateAsync(Pool("web", "198.18.0.0/24", new() { ["tier"] = "web" }));
        await store.CreateAsync(Pool("db", "198.18.1.0/24", new() { ["tier"] = "db" }));
        await store.CreateAsync(Pool("none", "198.18.2.0/24"));

        Assert.Equal(["web"], (await store.ListAsync<IPPool>(new ListOptions { LabelSelector = "tier=web" })).Items.Select(p => p.Name));
        Assert.Equal(["db", "web"], (await store.ListAsync<IPPool>(new ListOptions { LabelSelector = "tier in (web,db)" })).Items.Select(p => p.Name).Order());
        Assert.Equal(["none"], (await store.ListAsync<IPPool>(new ListOptions { LabelSelector = "!tier" })).Items.Select(p => p.Name));
        Assert.Equal(["db"], (await store.ListAsync<IPPool>(new ListOptions { FieldSelector = "metadata.name=db" })).Items.Select(p => p.Name));

        var list = await store.ListAsync<IPPool>(new ListOptions { LabelSelector = "tier=web" });
        using var cts = new CancellationTokenSource(WatchTimeout);
        var watch = store.WatchAsync(ResourceKinds.IPPools, new WatchOptions { Revision = list.Revision, LabelSelector = "tier=web" }, cts.Token)
            .GetAsyncEnumerator(cts.Token);
        var db = (await store.GetAsync<IPPool>("db"))!;
        db.Metadata.Labels!["tier"] = "web";
        await store.UpdateAsync(db); // starts matching: Added
        var web = (await store.GetAsync<IPPool>("web"))!;
        web.Metadata.Labels!["tier"] = "retired";
        await store.UpdateAsync(web); // stops matching: Deleted
        await store.CreateAsync(Pool("other", "198.18.3.0/24", new() { ["tier"] = "db" })); // never matches
        await store.CreateAsync(Pool("web2", "198.18.4.0/24", new() { ["tier"] = "web" }));
        var events = await TakeAsync(watch, 3);
        Assert.Equal([(WatchEventType.Added, "db"), (WatchEventType.Deleted, "web"), (WatchEventType.Added, "web2")],
            events.Select(e => (e.Type, e.Object!.Name)));
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task Namespaced_objects_are_separated_by_namespace()
    {
        var store = await NewStoreAsync();
        foreach (var ns in new[] { "default", "kube-system" })
        {
            await store.CreateAsync(new Pod
            {
                Metadata = new ObjectMeta { Name = "web", Namespace = ns, Labels = new() { ["app"] = "web" } },
                Spec = new PodSpec { NodeName = ns == "default" ? "node-1" : "node-2" },
            });
        }

        Assert.Equal("node-2", (await store.GetAsync<Pod>("web", "kube-system"))!.Spec.NodeName);
        Assert.Equal(2, (await store.ListAsync<Pod>()).Items.Count);
        var inDefault = await store.ListAsync<Pod>(new ListOptions { Namespace = "default" });
        Assert.Equal("default", Assert.Single(inDefault.Items).Namespace);
        Assert.Equal("kube-system", Assert.Single((await store.ListAsync<Pod>(new ListOptions { FieldSelector = "spec.nodeName=node-2" })).Items).Namespace);
        await store.DeleteAsync<Pod>("web", "default");
        Assert.Null(await store.GetAsync<Pod>("web", "default"));
        Assert.NotNull(await store.GetAsync<Pod>("web", "kube-system"));
    }

    [Fact]
    public async Task Ipam_block_round_trips_with_calico_fields()
    {
        var store = await NewStoreAsync();
        var block = new IPAMBlock
        {
            Metadata = new ObjectMeta { Name = ResourceNames.BlockName("198.18.0.0/30") },
            Spec = new IPAMBlockSpec
            {
                Cidr = "198.18.0.0/30",
                Affinity = "host:node-1",
                Allocations = [0, null, 1, null],
                Unallocated = [3, 1],
                Attributes =
                [
                    new AllocationAttribute { HandleId = "k8s-pod-network.abc", Secondary = new() { ["pod"] = "web", ["namespace"] = "default", ["node"] = "node-1" } },
                    new AllocationAttribute { HandleId = "ipip-tunnel-addr-node-1", Secondary = new() { ["type"] = "ipipTunnelAddress", ["node"] = "node-1" } },
                ],
                SequenceNumber = 7,
                SequenceNumberForAllocation = new() { ["0"] = 5, ["2"] = 7 },
            },
        };
        await store.CreateAsync(block);
        var read = (await store.GetAsync<IPAMBlock>("198-18-0-0-30"))!;
        Assert.Equal([0, null, 1, null], read.Spec.Allocations);
        Assert.Equal([3, 1], read.Spec.Unallocated);
        Assert.Equal("ipip-tunnel-addr-node-1", read.Spec.Attributes[1].HandleId);
        Assert.Equal(7UL, read.Spec.SequenceNumber);
        Assert.Equal(5UL, read.Spec.SequenceNumberForAllocation!["0"]);

        var affinity = new BlockAffinity
        {
            Metadata = new ObjectMeta { Name = ResourceNames.AffinityName("node-1", "198.18.0.0/30") },
            Spec = new BlockAffinitySpec { Node = "node-1", Cidr = "198.18.0.0/30", State = BlockAffinityStates.Confirmed },
        };
        await store.CreateAsync(affinity);
        var readAffinity = (await store.GetAsync<BlockAffinity>("node-1-198-18-0-0-30"))!;
        Assert.Equal("false", readAffinity.Spec.Deleted);
        Assert.Equal(BlockAffinityStates.Confirmed, readAffinity.Spec.State);
        readAffinity.Spec.IsDeleted = true;
        var updated = await store.UpdateAsync(readAffinity);
        Assert.Equal("true", updated.Spec.Deleted);
        Assert.Single((await store.ListAsync<BlockAffinity>()).Items);
    }

    /// <summary>Reads exactly <paramref name="count"/> non-bookmark events, failing on timeout.</summary>
    protected static async Task<List<WatchEvent<T>>> TakeAsync<T>(IAsyncEnumerator<WatchEvent<T>> watch, int count) where T : Resource
    {
        var events = new List<WatchEvent<T>>();
        while (events.Count < count)
        {
            var next = watch.MoveNextAsync().AsTask();
            if (await Task.WhenAny(next, Task.Delay(WatchTimeout)) != next)
            {
                throw new TimeoutException($"watch delivered {events.Count} of {count} events: " +
                    string.Join(", ", events.Select(e => $"{e.Type} {e.Object?.Name} @{e.Revision}")));
            }

            Assert.True(await next, "watch ended early");
            if (watch.Current.Type != WatchEventType.Bookmark)
            {
                events.Add(watch.Current);
            }
        }

        return events;
    }
}
