using Tabby.Datastore.Embedded;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Xunit;

namespace Tabby.Datastore.Tests.Embedded;

/// <summary>The two states a killed writer can leave, made by hand, and how the next writer repairs them.</summary>
public sealed class EmbeddedRecoveryTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tabby-recovery-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static IPPool Pool(string name, string cidr) => new() { Metadata = new ObjectMeta { Name = name }, Spec = new IPPoolSpec { Cidr = cidr } };

    [Fact]
    public async Task Torn_log_tail_is_ignored_by_readers_and_truncated_by_the_next_writer()
    {
        var store = new EmbeddedDatastore(_directory);
        var created = await store.CreateAsync(ResourceKinds.IPPools, Pool("a", "198.18.0.0/24"));
        var logPath = Path.Combine(_directory, ChangeLogFile.FileName);
        await File.AppendAllTextAsync(logPath, "{\"rev\":2,\"op\":\"upd");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var watch = store.WatchAsync(ResourceKinds.IPPools, new Tabby.Datastore.Store.WatchOptions { Revision = "0" }, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal("a", watch.Current.Object!.Name);

        var other = new EmbeddedDatastore(_directory);
        var second = await other.CreateAsync(ResourceKinds.IPPools, Pool("b", "198.18.1.0/24"));
        Assert.Equal("2", second.Metadata.ResourceVersion);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(("b", "2"), (watch.Current.Object!.Name, watch.Current.Revision));
        Assert.Equal(created.Metadata.ResourceVersion, (await other.GetAsync(ResourceKinds.IPPools, "a"))!.Metadata.ResourceVersion);
        Assert.EndsWith("\n", await File.ReadAllTextAsync(logPath), StringComparison.Ordinal);
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task Logged_but_unapplied_change_is_completed_by_the_next_writer()
    {
        var store = new EmbeddedDatastore(_directory);
        var created = await store.CreateAsync(ResourceKinds.IPPools, Pool("a", "198.18.0.0/24"));

        // As if a writer logged revision 2 (an update of "a") and was killed before replacing the file.
        var next = ResourceKinds.IPPools.Clone(created);
        next.Spec.Disabled = true;
        next.Metadata.ResourceVersion = "2";
        var entry = new ChangeLogEntry(2, ChangeOperation.Update, "ippools.crd.projectcalico.org", null, "a",
            ResourceKinds.IPPools.Serialize(next), ResourceKinds.IPPools.Serialize(created));
        await File.AppendAllBytesAsync(Path.Combine(_directory, ChangeLogFile.FileName), entry.ToLine());
        Assert.Equal("1", (await store.GetAsync(ResourceKinds.IPPools, "a"))!.Metadata.ResourceVersion);

        // The stale CAS loses against the logged change, which the writer first completes.
        var fresh = new EmbeddedDatastore(_directory);
        var stale = ResourceKinds.IPPools.Clone(created);
        stale.Spec.NatOutgoing = true;
        await Assert.ThrowsAsync<Tabby.Datastore.Store.ResourceConflictException>(() => fresh.UpdateAsync(ResourceKinds.IPPools, stale));
        var read = (await fresh.GetAsync(ResourceKinds.IPPools, "a"))!;
        Assert.Equal("2", read.Metadata.ResourceVersion);
        Assert.True(read.Spec.Disabled);
    }

    [Fact]
    public void Names_are_escaped_to_safe_file_names()
    {
        Assert.Equal("k8s-pod-network.abc", EmbeddedLayout.Escape("k8s-pod-network.abc"));
        Assert.Equal("%2E.", EmbeddedLayout.Escape(".."));
        Assert.Equal("a%2Fb%3Ac", EmbeddedLayout.Escape("a/b:c"));
        Assert.Equal("%C3%A9", EmbeddedLayout.Escape("é"));
    }
}
