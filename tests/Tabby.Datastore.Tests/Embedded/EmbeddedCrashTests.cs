using System.Diagnostics;
using Tabby.Datastore.Embedded;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Xunit;
using Xunit.Abstractions;

namespace Tabby.Datastore.Tests.Embedded;

/// <summary>
/// kill -9 in the middle of embedded-store writes, repeated: the store must always read cleanly,
/// every object must be one complete version, versions never go back, and writing must continue.
/// </summary>
public sealed class EmbeddedCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tabby-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Kill_9_during_writes_never_corrupts_the_store()
    {
        const int rounds = 10;
        var random = new Random(1234);
        var highest = new Dictionary<string, int>();
        var totalRevisions = 0L;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        for (var round = 0; round < rounds; round++)
        {
            // Two writers share the store (as lab agents do); a reader in this process checks live.
            var writers = new[] { StartWriter(round * 2), StartWriter(round * 2 + 1) };
            try
            {
                foreach (var writer in writers)
                {
                    var ready = await writer.StandardOutput.ReadLineAsync(cts.Token);
                    Assert.Equal("ready", ready);
                }

                var reader = new EmbeddedDatastore(_directory, CrashWriter.Options);
                var until = DateTime.UtcNow + TimeSpan.FromMilliseconds(random.Next(100, 400));
                while (DateTime.UtcNow < until)
                {
                    foreach (var handle in (await reader.ListAsync(ResourceKinds.IPAMHandles, cancellationToken: cts.Token)).Items)
                    {
                        CrashWriter.CheckComplete(handle);
                    }
                }

                // kill -9 at a random moment; sometimes only one of the two.
                writers[0].Kill();
                if (random.Next(3) != 0)
                {
                    await Task.Delay(random.Next(0, 30), cts.Token);
                }

                writers[1].Kill();
            }
            finally
            {
                foreach (var writer in writers)
                {
                    writer.Kill();
                    await writer.WaitForExitAsync(cts.Token);
                    writer.Dispose();
                }
            }

            totalRevisions = await VerifyAsync(highest, cts.Token);
        }

        output.WriteLine($"{rounds} kill -9 rounds, {totalRevisions} revisions, final versions: " +
            string.Join(", ", highest.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}")));
        Assert.True(totalRevisions > rounds, "writers made progress between kills");
    }

    /// <summary>Opens the store as a new process would, checks every object, and proves writes still work.</summary>
    private async Task<long> VerifyAsync(Dictionary<string, int> highest, CancellationToken cancellationToken)
    {
        var store = new EmbeddedDatastore(_directory, CrashWriter.Options);
        // A write first: it repairs a torn log tail and completes a logged but unapplied change.
        var probe = await store.CreateAsync(ResourceKinds.IPPools, new IPPool
        {
            Metadata = new ObjectMeta { Name = "probe-" + Guid.NewGuid().ToString("N")[..8] },
            Spec = new IPPoolSpec { Cidr = "198.18.0.0/16" },
        }, cancellationToken);
        await store.DeleteAsync(ResourceKinds.IPPools, probe.Name, cancellationToken: cancellationToken);

        var list = await store.ListAsync(ResourceKinds.IPAMHandles, cancellationToken: cancellationToken);
        foreach (var handle in list.Items)
        {
            var n = CrashWriter.CheckComplete(handle);
            var before = highest.GetValueOrDefault(handle.Name);
            Assert.True(n >= before, $"{handle.Name} went back from version {before} to {n}");
            highest[handle.Name] = n;
        }

        // The change log must parse completely and its revisions must increase by one.
        using var log = ChangeLogFile.OpenRead(Path.Combine(_directory, ChangeLogFile.FileName));
        var (header, offset) = ChangeLogFile.ReadHeader(log);
        var previous = header.CompactedThrough;
        var end = ChangeLogFile.ReadEntries(log, offset, e =>
        {
            Assert.Equal(previous + 1, e.Revision);
            previous = e.Revision;
        });
        Assert.Equal(log.Length, end);

        // Temporary files of killed writers were swept by the write above.
        Assert.Empty(Directory.EnumerateFiles(_directory, ".tmp-*", SearchOption.AllDirectories));
        return previous;
    }

    private Process StartWriter(int seed)
    {
        var assembly = typeof(CrashWriter).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", assembly, CrashWriter.Mode, _directory, seed.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the crash writer");
    }
}
