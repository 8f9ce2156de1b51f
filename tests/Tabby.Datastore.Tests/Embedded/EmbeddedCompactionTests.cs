using Tabby.Datastore.Embedded;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Xunit;

namespace Tabby.Datastore.Tests.Embedded;

/// <summary>Automatic change-log compaction: a watch that keeps up continues across it; one that fell behind must re-list.</summary>
public sealed class EmbeddedCompactionTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tabby-compact-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private EmbeddedDatastore Open() => new(_directory, new EmbeddedDatastoreOptions
    {
        MaxLogEntries = 10,
        RetainedLogEntries = 4,
        PollInterval = TimeSpan.FromMilliseconds(50),
    });

    private static IPAMHandle Handle(int i) => new() { Metadata = new ObjectMeta { Name = $"h{i}" }, Spec = new IPAMHandleSpec { HandleId = $"h{i}" } };

    [Fact]
    public async Task Watch_that_keeps_up_continues_across_compactions()
    {
        var store = Open();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watch = store.WatchAsync(ResourceKinds.IPAMHandles, new WatchOptions { Revision = "0" }, cts.Token).GetAsyncEnumerator(cts.Token);
        for (var i = 0; i < 40; i++)
        {
            await store.CreateAsync(ResourceKinds.IPAMHandles, Handle(i));
            Assert.True(await watch.MoveNextAsync());
            Assert.Equal($"h{i}", watch.Current.Object!.Name);
        }

        await watch.DisposeAsync();
        var log = await File.ReadAllLinesAsync(Path.Combine(_directory, ChangeLogFile.FileName));
        Assert.True(log.Length <= 11, $"log has {log.Length} lines: compaction did not run");
        Assert.Equal(40, (await store.ListAsync(ResourceKinds.IPAMHandles)).Items.Count);
    }

    [Fact]
    public async Task Watch_that_fell_behind_a_compaction_is_too_old()
    {
        var store = Open();
        var first = await store.CreateAsync(ResourceKinds.IPAMHandles, Handle(0));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watch = store.WatchAsync(ResourceKinds.IPAMHandles, new WatchOptions { Revision = first.Metadata.ResourceVersion }, cts.Token).GetAsyncEnumerator(cts.Token);
        var pending = watch.MoveNextAsync();
        for (var i = 1; i < 30; i++)
        {
            await store.CreateAsync(ResourceKinds.IPAMHandles, Handle(i));
        }

        // The first event may arrive before the log is compacted; the gap after it cannot.
        var error = await Assert.ThrowsAsync<RevisionTooOldException>(async () =>
        {
            while (await pending)
            {
                pending = watch.MoveNextAsync();
            }
        });
        Assert.Contains("compacted", error.Message, StringComparison.Ordinal);
        await watch.DisposeAsync();
    }
}
