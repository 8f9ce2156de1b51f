using System.Diagnostics;
using Tabby.Datastore.Embedded;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Store;
using Xunit;

namespace Tabby.Datastore.Tests.Embedded;

/// <summary>A watcher in this process sees, in order, the writes another process makes.</summary>
public sealed class EmbeddedCrossProcessTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tabby-xproc-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Watch_sees_another_process_writes_in_order()
    {
        // Default log limits here and in the writer: this test is about tailing, not compaction.
        var store = new EmbeddedDatastore(_directory, new EmbeddedDatastoreOptions { PollInterval = TimeSpan.FromSeconds(5) });
        var list = await store.ListAsync(ResourceKinds.IPAMHandles);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watch = store.WatchAsync(ResourceKinds.IPAMHandles, new WatchOptions { Revision = list.Revision }, cts.Token).GetAsyncEnumerator(cts.Token);

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "exec", typeof(CrashWriter).Assembly.Location, CrashWriter.Mode, _directory, "7", CrashWriter.NoCompaction })
        {
            start.ArgumentList.Add(argument);
        }

        using var writer = Process.Start(start)!;
        try
        {
            // inotify wakes the watcher long before the 5 s poll would.
            var revisions = new List<long>();
            var clock = Stopwatch.StartNew();
            while (revisions.Count < 20)
            {
                Assert.True(await watch.MoveNextAsync());
                revisions.Add(long.Parse(watch.Current.Revision));
                CrashWriter.CheckComplete(watch.Current.Object!);
            }

            Assert.Equal(revisions.Order(), revisions);
            Assert.Equal(revisions.Count, revisions.Distinct().Count());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        }
        finally
        {
            writer.Kill();
            await writer.WaitForExitAsync(CancellationToken.None);
            await watch.DisposeAsync();
        }
    }
}
