using System.Collections.Concurrent;
using Tabby.Cni.Tests.Support;
using Tabby.Testing.Xunit;
using Xunit;
using Xunit.Abstractions;

namespace Tabby.Cni.Tests.Plugin;

/// <summary>Many plugin processes at once, as a runtime starting a node full of pods: no double allocation, no leak.</summary>
public sealed class ConcurrencyTests(ITestOutputHelper output)
{
    private const int Pods = 100;

    /// <summary>Processes in flight at once: enough to contend on every block write, bounded so 2 cores finish in time.</summary>
    private const int InFlight = 20;

    [RootFact]
    public async Task Hundred_pods_added_and_deleted_concurrently_leave_nothing_allocated()
    {
        await using var lab = CniLab.Create();
        await lab.AddPoolAsync("v4", "198.18.0.0/24", 26);
        using var node = lab.Node("node-a");
        var pods = Enumerable.Range(0, Pods).Select(_ => node.CreatePod()).ToList();
        try
        {
            var adds = await RunAllAsync(pods, pod => node.AddAsync(pod));
            var failed = adds.Where(a => !a.Succeeded).ToList();
            Assert.True(failed.Count == 0, string.Join("\n", failed.Select(f => f.Stdout + f.Stderr)));
            var addresses = adds.SelectMany(a => a.Addresses()).ToList();
            Assert.Equal(Pods, addresses.Distinct().Count());
            Assert.Equal(Pods, node.HostInterfaces().Count);
            Assert.Equal((Pods, Pods), await lab.IpamUsageAsync());
            Report("ADD", adds);

            var dels = await RunAllAsync(pods, pod => node.DelAsync(pod));
            failed = dels.Where(d => !d.Succeeded).ToList();
            Assert.True(failed.Count == 0, string.Join("\n", failed.Select(f => f.Stdout + f.Stderr)));
            Report("DEL", dels);

            Assert.Equal((0, 0), await lab.IpamUsageAsync());
            Assert.Empty(node.HostInterfaces());
            Assert.All(pods, pod => Assert.Empty(CniNode.Links(pod.Netns)));
        }
        finally
        {
            pods.ForEach(p => p.Dispose());
        }
    }

    private static async Task<List<CniInvocation>> RunAllAsync(List<PodSandbox> pods, Func<PodSandbox, Task<CniInvocation>> run)
    {
        using var gate = new SemaphoreSlim(InFlight);
        var results = new ConcurrentBag<CniInvocation>();
        await Task.WhenAll(pods.Select(async pod =>
        {
            await gate.WaitAsync();
            try
            {
                results.Add(await run(pod));
            }
            finally
            {
                gate.Release();
            }
        }));
        return results.ToList();
    }

    /// <summary>Latency of one invocation under contention (reported, not asserted: shared CI machines vary).</summary>
    private void Report(string command, List<CniInvocation> runs)
    {
        var sorted = runs.Select(r => r.Elapsed.TotalMilliseconds).Order().ToList();
        output.WriteLine($"{command} x{runs.Count} with {InFlight} in flight: p50 {sorted[sorted.Count / 2]:0} ms, p90 {sorted[sorted.Count * 9 / 10]:0} ms, max {sorted[^1]:0} ms");
    }
}
