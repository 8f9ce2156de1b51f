using System.Globalization;
using Tabby.Datastore.Embedded;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;

namespace Tabby.Datastore.Tests.Embedded;

/// <summary>
/// The child process of the kill -9 tests: writes to an embedded store in an endless loop until it is
/// killed. Every version of every object is self-checking: all counters in spec.block carry the same
/// value, so a reader can tell a complete version from a torn one, and "n" only grows.
/// </summary>
public static class CrashWriter
{
    public const string Mode = "crash-writer";
    public const string NoCompaction = "no-compaction";
    public const int Objects = 4;
    public const int CountersPerObject = 64;

    /// <summary>Options that make compaction frequent, so kills also land inside it.</summary>
    public static EmbeddedDatastoreOptions Options => new() { MaxLogEntries = 40, RetainedLogEntries = 10, LockTimeout = TimeSpan.FromSeconds(60) };

    public static int Run(string directory, int seed, bool compactOften = true)
    {
        var random = new Random(seed);
        var store = new EmbeddedDatastore(directory, compactOften ? Options : new EmbeddedDatastoreOptions());
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        while (true)
        {
            var name = "obj-" + random.Next(Objects).ToString(CultureInfo.InvariantCulture);
            try
            {
                var current = store.GetAsync(ResourceKinds.IPAMHandles, name).GetAwaiter().GetResult();
                if (current is null)
                {
                    store.CreateAsync(ResourceKinds.IPAMHandles, Version(name, 1)).GetAwaiter().GetResult();
                    continue;
                }

                var next = Version(name, current.Spec.Block["n"] + 1);
                next.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
                store.UpdateAsync(ResourceKinds.IPAMHandles, next).GetAwaiter().GetResult();
            }
            catch (ResourceConflictException)
            {
            }
            catch (ResourceAlreadyExistsException)
            {
            }
        }
    }

    public static IPAMHandle Version(string name, int n)
    {
        var block = new Dictionary<string, int> { ["n"] = n };
        for (var i = 0; i < CountersPerObject; i++)
        {
            block["c" + i.ToString("D3", CultureInfo.InvariantCulture)] = n;
        }

        return new IPAMHandle { Metadata = new ObjectMeta { Name = name }, Spec = new IPAMHandleSpec { HandleId = name, Block = block } };
    }

    /// <summary>The version number of a complete object; throws if the object is torn or mixed.</summary>
    public static int CheckComplete(IPAMHandle handle)
    {
        var n = handle.Spec.Block["n"];
        if (handle.Spec.Block.Count != CountersPerObject + 1 || handle.Spec.Block.Values.Any(v => v != n))
        {
            throw new InvalidDataException($"{handle.Name}: mixed versions in one object");
        }

        return n;
    }
}
