using System.Diagnostics;
using System.Globalization;
using System.Net;
using Tabby.Datastore.Embedded;
using Tabby.Datastore.Etcd;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Pools;

namespace Tabby.Benchmarks.Ipam;

/// <summary>
/// IPAM allocation and release load: N node clients, each with its own store client, allocate one
/// address per simulated pod and release it again; reports throughput, p50/p99 latency and store
/// round trips per operation.
/// Usage: ipam-load --backend embedded|etcd [--etcd URL] [--clients N] [--ops N] [--dir PATH]
/// </summary>
public static class IpamLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Arg(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var backend = Arg("--backend", "embedded");
        var clients = int.Parse(Arg("--clients", "1"), CultureInfo.InvariantCulture);
        var ops = int.Parse(Arg("--ops", "500"), CultureInfo.InvariantCulture);
        var etcdUrl = Arg("--etcd", "http://127.0.0.1:2379");
        var directory = Arg("--dir", Path.Combine(Path.GetTempPath(), "tabby-ipam-load-" + Guid.NewGuid().ToString("N")));
        var prefix = "/bench-" + Guid.NewGuid().ToString("N")[..8];

        IDatastore Open() => backend == "etcd"
            ? new EtcdDatastore(new EtcdOptions { Endpoints = [new Uri(etcdUrl)], KeyPrefix = prefix })
            : new EmbeddedDatastore(directory);

        await using var admin = Open();
        await admin.CreateAsync(ResourceKinds.IPPools, new IPPool
        {
            Metadata = new ObjectMeta { Name = "bench" },
            Spec = new IPPoolSpec { Cidr = "198.18.0.0/16", BlockSize = 26 },
        });

        var stores = Enumerable.Range(0, clients).Select(_ => new CountingDatastore(Open())).ToList();
        var allocate = new List<double>();
        var release = new List<double>();
        var gate = new Lock();
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(stores.Select((store, n) => Task.Run(async () =>
        {
            var ipam = new IpamAllocator(store, new AllSelector());
            var mine = new List<(double, double)>(ops);
            for (var i = 0; i < ops; i++)
            {
                var handle = $"k8s-pod-network.bench-{n}-{i}";
                var started = Stopwatch.GetTimestamp();
                await ipam.AutoAssignAsync(new AutoAssignRequest { Host = $"node-{n}", HandleId = handle, IPv4Count = 1 });
                var assigned = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                started = Stopwatch.GetTimestamp();
                await ipam.ReleaseByHandleAsync(handle);
                mine.Add((assigned, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            }

            lock (gate)
            {
                allocate.AddRange(mine.Select(m => m.Item1));
                release.AddRange(mine.Select(m => m.Item2));
            }
        })));
        wall.Stop();

        var total = clients * ops;
        var reads = stores.Sum(s => s.Reads);
        var writes = stores.Sum(s => s.Writes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"backend={backend} clients={clients} ops/client={ops} total={total} wall={wall.Elapsed.TotalSeconds:0.00}s " +
            $"throughput={total / wall.Elapsed.TotalSeconds:0.0} alloc+release/s " +
            $"alloc p50={Percentile(allocate, 50):0.00}ms p99={Percentile(allocate, 99):0.00}ms " +
            $"release p50={Percentile(release, 50):0.00}ms p99={Percentile(release, 99):0.00}ms " +
            $"round-trips/op reads={(double)reads / total:0.0} writes={(double)writes / total:0.0}"));
        // For bench.sh's summary (no peer IPAM runs in the same benchmark, so these show as Tabby only).
        var where = $"{backend}, {clients} clients";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT {{\"scenario\": \"ipam\", \"case\": \"{where}\", \"tool\": \"tabby\", \"metric\": \"allocate+release\", \"value\": {total / wall.Elapsed.TotalSeconds:0.0}, \"unit\": \"ops/s\", \"kind\": \"rate\"}}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT {{\"scenario\": \"ipam\", \"case\": \"{where}\", \"tool\": \"tabby\", \"metric\": \"allocate p99\", \"value\": {Percentile(allocate, 99):0.00}, \"unit\": \"ms\", \"kind\": \"time\"}}"));
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        if (backend == "embedded")
        {
            Directory.Delete(directory, recursive: true);
        }

        return 0;
    }

    private static double Percentile(List<double> values, int p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];
    }

    private sealed class AllSelector : ISelectorMatcher
    {
        public bool Matches(string? selector, IReadOnlyDictionary<string, string> labels) => true;
    }

    /// <summary>Counts store round trips (each call is one request to the backend).</summary>
    private sealed class CountingDatastore(IDatastore inner) : IDatastore
    {
        private long _reads;
        private long _writes;

        public long Reads => Interlocked.Read(ref _reads);

        public long Writes => Interlocked.Read(ref _writes);

        public string Description => inner.Description;

        public Task<T?> GetAsync<T>(ResourceKind<T> kind, string name, string? @namespace = null, CancellationToken cancellationToken = default)
            where T : Resource
        {
            Interlocked.Increment(ref _reads);
            return inner.GetAsync(kind, name, @namespace, cancellationToken);
        }

        public Task<ResourceList<T>> ListAsync<T>(ResourceKind<T> kind, ListOptions? options = null, CancellationToken cancellationToken = default)
            where T : Resource
        {
            Interlocked.Increment(ref _reads);
            return inner.ListAsync(kind, options, cancellationToken);
        }

        public Task<T> CreateAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default) where T : Resource
        {
            Interlocked.Increment(ref _writes);
            return inner.CreateAsync(kind, resource, cancellationToken);
        }

        public Task<T> UpdateAsync<T>(ResourceKind<T> kind, T resource, CancellationToken cancellationToken = default) where T : Resource
        {
            Interlocked.Increment(ref _writes);
            return inner.UpdateAsync(kind, resource, cancellationToken);
        }

        public Task<T> DeleteAsync<T>(ResourceKind<T> kind, string name, string? @namespace = null, DeleteOptions? options = null,
            CancellationToken cancellationToken = default) where T : Resource
        {
            Interlocked.Increment(ref _writes);
            return inner.DeleteAsync(kind, name, @namespace, options, cancellationToken);
        }

        public IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceKind<T> kind, WatchOptions? options = null,
            CancellationToken cancellationToken = default) where T : Resource => inner.WatchAsync(kind, options, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
