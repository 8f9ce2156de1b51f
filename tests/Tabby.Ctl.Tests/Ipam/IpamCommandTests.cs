using System.Net;
using Tabby.Ctl.Tests.Resources;
using Tabby.Datastore;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Datastore.Store;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Pools;
using Xunit;

namespace Tabby.Ctl.Tests.Ipam;

/// <summary>tabbyctl ipam show/check/release/configure against each datastore backend.</summary>
public sealed class IpamCommandTests(BackendFixture backends) : IClassFixture<BackendFixture>
{
    public static TheoryData<string, string> Backends => new()
    {
        { "embedded", "198.18.10.0/24" },
        { "etcd", "198.18.11.0/24" },
        { "kubernetes", "198.18.12.0/24" },
    };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task ShowCheckReleaseAndConfigure(string backend, string cidr)
    {
        var flags = backends.Flags(backend);
        var poolName = "ipam-" + backend;
        var manifest = backends.WriteFile("pool.yaml", $"""
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: {poolName}
            spec:
              cidr: {cidr}
              blockSize: 26
              natOutgoing: true
            """);
        var applied = await CtlRunner.RunAsync(["apply", "-f", manifest, .. flags]);
        Assert.True(applied.Exit == 0, applied.Err);

        await using var store = DatastoreFactory.Create(SettingsFor(flags));
        var node = $"node-{backend}";
        await store.CreateAsync(ResourceKinds.KubeNodes, new KubeNode { Metadata = new ObjectMeta { Name = node } });
        var ipam = new IpamAllocator(store, CalicoSelectorMatcher.Instance);
        var addresses = new List<IPAddress>();
        for (var i = 0; i < 3; i++)
        {
            var result = await ipam.AutoAssignAsync(new AutoAssignRequest
            {
                Host = node,
                HandleId = $"k8s-pod-network.{backend}-{i}",
                IPv4Count = 1,
                IPv4Pools = [poolName],
                Attributes = new Dictionary<string, string> { ["pod"] = $"pod-{i}", ["namespace"] = "default", ["node"] = node },
            });
            addresses.Add(result.IPv4[0].Address);
        }

        var show = await CtlRunner.RunAsync(["ipam", "show", "--show-blocks", .. flags]);
        Assert.Equal(0, show.Exit);
        Assert.Contains("| GROUPING |", show.Out);
        Assert.Matches($@"\| IP Pool +\| {Regex(cidr)} +\| 256 +\| 3 \(1%\) +\| 253 \(99%\) +\|", show.Out);
        Assert.Matches(@"\| Block +\| 198\.18\.1\d\.\d+/26 +\| 64 +\| 3 \(5%\) +\| 61 \(95%\) +\|", show.Out);

        var who = await CtlRunner.RunAsync(["ipam", "show", "--ip", addresses[0].ToString(), .. flags]);
        Assert.Contains($"IP {addresses[0]} is in use", who.Out);
        Assert.Contains($"Handle ID: k8s-pod-network.{backend}-0", who.Out);
        Assert.Contains("  pod: pod-0", who.Out);

        // No pod objects exist: all three addresses are leaks, and the report can release them.
        var report = backends.WriteFile("report.json", "");
        var check = await CtlRunner.RunAsync(["ipam", "check", "--output-file", report, .. flags]);
        Assert.Equal(1, check.Exit);
        Assert.Contains("LeakedAddress (3):", check.Out);
        Assert.Contains("Check complete; found 3 problems.", check.Out);

        var release = await CtlRunner.RunAsync(["ipam", "release", "--from-report", report, .. flags]);
        Assert.True(release.Exit == 0, release.Err);
        Assert.Equal(3, release.Out.Split('\n').Count(l => l.StartsWith("Released ", StringComparison.Ordinal)));

        var clean = await CtlRunner.RunAsync(["ipam", "check", .. flags]);
        Assert.True(clean.Exit == 0, clean.Out);
        Assert.Contains("Check complete; found 0 problems.", clean.Out);
        Assert.Contains($"IP {addresses[1]} is not assigned", (await CtlRunner.RunAsync(["ipam", "show", "--ip", addresses[1].ToString(), .. flags])).Out);

        var configure = await CtlRunner.RunAsync(["ipam", "configure", "--strictaffinity", "true", "--max-blocks-per-host", "5", .. flags]);
        Assert.Equal(0, configure.Exit);
        Assert.Contains("Successfully set StrictAffinity to: True, MaxBlocksPerHost to: 5", configure.Out);
        Assert.True((await ipam.LoadConfigAsync()).StrictAffinity);
    }

    [Fact]
    public async Task UsageErrorsExitWithTwo()
    {
        var flags = backends.Flags("embedded");
        var none = await CtlRunner.RunAsync(["ipam", "release", .. flags]);
        var badIp = await CtlRunner.RunAsync(["ipam", "show", "--ip", "300.1.2.3", .. flags]);
        var badFormat = await CtlRunner.RunAsync(["ipam", "show", "-o", "xml", .. flags]);

        Assert.Equal(2, none.Exit);
        Assert.Equal(2, badIp.Exit);
        Assert.Contains("--ip \"300.1.2.3\"", badIp.Err);
        Assert.Equal(2, badFormat.Exit);
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    private static DatastoreSettings SettingsFor(string[] flags)
    {
        string Value(string flag) => flags[Array.IndexOf(flags, flag) + 1];
        return Value("--datastore-type") switch
        {
            "embedded" => new DatastoreSettings { Type = DatastoreType.Embedded, EmbeddedDirectory = Value("--data-dir") },
            "etcdv3" => new DatastoreSettings { Type = DatastoreType.Etcd, EtcdEndpoints = DatastoreSettings.ParseEndpoints(Value("--etcd-endpoints")) },
            _ => new DatastoreSettings { Type = DatastoreType.Kubernetes, KubeconfigPaths = [Value("--kubeconfig")] },
        };
    }
}
