using Tabby.Datastore.Embedded;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;

namespace Tabby.Ipam.Tests.Support;

/// <summary>An embedded datastore in a fresh temporary directory, removed on dispose.</summary>
public sealed class TemporaryStore : IAsyncDisposable
{
    private TemporaryStore(string directory)
    {
        Directory = directory;
        Store = new EmbeddedDatastore(directory);
    }

    public string Directory { get; }

    public EmbeddedDatastore Store { get; }

    public static TemporaryStore Create() =>
        new(Path.Combine(Path.GetTempPath(), "tabby-ipam-tests", Guid.NewGuid().ToString("N")));

    /// <summary>A second handle on the same directory, as another process would open it.</summary>
    public EmbeddedDatastore OpenAnother() => new(Directory);

    public Task<IPPool> AddPoolAsync(string name, string cidr, int? blockSize = null, string? nodeSelector = null,
        bool disabled = false, List<string>? allowedUses = null) =>
        Store.CreateAsync(ResourceKinds.IPPools, new IPPool
        {
            Metadata = new ObjectMeta { Name = name },
            Spec = new IPPoolSpec
            {
                Cidr = cidr,
                BlockSize = blockSize,
                NodeSelector = nodeSelector,
                Disabled = disabled,
                AllowedUses = allowedUses,
            },
        });

    public Task<IPAMConfig> ConfigureAsync(bool strictAffinity, int maxBlocksPerHost = 0, bool autoAllocateBlocks = true) =>
        Store.CreateAsync(ResourceKinds.IPAMConfigs, new IPAMConfig
        {
            Metadata = new ObjectMeta { Name = IPAMConfig.DefaultName },
            Spec = new IPAMConfigSpec { StrictAffinity = strictAffinity, MaxBlocksPerHost = maxBlocksPerHost, AutoAllocateBlocks = autoAllocateBlocks },
        });

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
