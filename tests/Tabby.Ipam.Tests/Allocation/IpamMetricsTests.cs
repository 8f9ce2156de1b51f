using System.Diagnostics.Metrics;
using Tabby.Ipam.Allocation;
using Tabby.Ipam.Tests.Support;
using Xunit;

namespace Tabby.Ipam.Tests.Allocation;

[CollectionDefinition(nameof(IpamMetricsTests), DisableParallelization = true)]
public sealed class IpamMetricsCollection;

/// <summary>The allocator's metrics count what it did (alone, so no other test's operations mix in).</summary>
[Collection(nameof(IpamMetricsTests))]
public sealed class IpamMetricsTests
{
    [Fact]
    public async Task OperationsAddressesAndConflictsAreCounted()
    {
        var counts = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == IpamMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name + "|" + string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            lock (counts)
            {
                counts[key] = counts.GetValueOrDefault(key) + value;
            }
        });
        listener.Start();

        await using var temp = TemporaryStore.Create();
        await temp.AddPoolAsync("p", "198.18.0.0/24");
        var ipam = new IpamAllocator(temp.Store, new LabelEqualityMatcher());
        var result = await ipam.AutoAssignAsync(new AutoAssignRequest { Host = "node-a", HandleId = "k8s-pod-network.m1", IPv4Count = 3 });
        await ipam.ReleaseByHandleAsync("k8s-pod-network.m1");
        await Assert.ThrowsAsync<IpamRequestException>(() => ipam.AutoAssignAsync(new AutoAssignRequest { Host = "node-a", HandleId = "h", IPv4Count = 0 }));

        Assert.Equal(3, result.IPv4.Count);
        Assert.Equal(1, counts.GetValueOrDefault("tabby.ipam.operations|operation=auto_assign,result=ok"));
        Assert.Equal(1, counts.GetValueOrDefault("tabby.ipam.operations|operation=release_handle,result=ok"));
        Assert.Equal(3, counts.GetValueOrDefault("tabby.ipam.addresses|change=assigned"));
        Assert.Equal(3, counts.GetValueOrDefault("tabby.ipam.addresses|change=released"));
        Assert.DoesNotContain(counts.Keys, k => k.StartsWith("tabby.ipam.conflicts", StringComparison.Ordinal)); // one writer: no conflicts
    }
}
