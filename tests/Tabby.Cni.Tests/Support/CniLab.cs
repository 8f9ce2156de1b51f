using System.Text.Json.Nodes;
using Tabby.Datastore.Embedded;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;

namespace Tabby.Cni.Tests.Support;

/// <summary>
/// A lab cluster for the plugin: one embedded datastore directory shared by every node (as the
/// lab's nodes share one store), pools created directly in it, and checks of what IPAM holds.
/// </summary>
public sealed class CniLab : IAsyncDisposable
{
    private CniLab(string directory)
    {
        StoreDirectory = directory;
        Store = new EmbeddedDatastore(directory);
    }

    /// <summary>The plugin executable built next to the test assembly.</summary>
    public static string PluginPath => Path.Combine(AppContext.BaseDirectory, "tabby-cni");

    public string StoreDirectory { get; }

    public EmbeddedDatastore Store { get; }

    public static CniLab Create() => new(Path.Combine(Path.GetTempPath(), "tabby-cni-tests", Guid.NewGuid().ToString("N")));

    public CniNode Node(string name) => new(this, name);

    public Task<IPPool> AddPoolAsync(string name, string cidr, int blockSize, bool disabled = false) =>
        Store.CreateAsync(ResourceKinds.IPPools, new IPPool
        {
            Metadata = new ObjectMeta { Name = name },
            Spec = new IPPoolSpec { Cidr = cidr, BlockSize = blockSize, Disabled = disabled },
        });

    /// <summary>A network configuration as a conflist entry would be passed: Tabby's fields, this lab's store, the node's name, MTU 1400.</summary>
    public string Config(string node, bool ipv6 = false, string version = "1.0.0", string? extra = null, int? mtu = 1400)
    {
        var config = new JsonObject
        {
            ["cniVersion"] = version,
            ["name"] = "k8s-pod-network",
            ["type"] = "tabby-cni",
            ["nodename"] = node,
            ["datastore_type"] = "embedded",
            ["datastore_dir"] = StoreDirectory,
            ["mtu"] = mtu,
            // Per node, inside the lab's directory (the default is /var/run/tabby/ipam.lock).
            ["ipam_lock_file"] = Path.Combine(StoreDirectory, $"ipam-{node}.lock"),
            ["ipam"] = new JsonObject { ["type"] = "tabby-ipam", ["assign_ipv4"] = "true", ["assign_ipv6"] = ipv6 ? "true" : "false" },
        };
        if (extra is not null)
        {
            foreach (var (key, value) in JsonNode.Parse(extra)!.AsObject().ToList())
            {
                config[key] = value?.DeepClone();
            }
        }

        return config.ToJsonString();
    }

    /// <summary>The configuration with prevResult set to an ADD's output (what a runtime passes to CHECK).</summary>
    public static string WithPrevResult(string config, CniInvocation add)
    {
        var node = JsonNode.Parse(config)!.AsObject();
        node["prevResult"] = JsonNode.Parse(add.Stdout);
        return node.ToJsonString();
    }

    /// <summary>Addresses allocated in any block, and handles that still exist.</summary>
    public async Task<(int Allocated, int Handles)> IpamUsageAsync()
    {
        var blocks = (await Store.ListAsync(ResourceKinds.IPAMBlocks)).Items;
        var handles = (await Store.ListAsync(ResourceKinds.IPAMHandles)).Items.Count(h => !h.Spec.Deleted);
        return (blocks.Sum(b => b.Spec.Allocations.Count(a => a is not null)), handles);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(StoreDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
