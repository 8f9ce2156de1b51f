using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;

namespace Tabby.Datastore.Etcd;

/// <summary>
/// The values stored in etcd, compatible with Calico's etcdv3 mode:
/// <list type="bullet">
/// <item>Calico v3 kinds: the object as projectcalico.org/v3 JSON (metadata without resourceVersion).</item>
/// <item>IPAM kinds: Calico's bare IPAM models (libcalico-go backend/model), with identity taken
/// from the key: an AllocationBlock (<c>cidr</c>, <c>affinity</c>, <c>allocations</c>, <c>unallocated</c>,
/// <c>attributes</c> with <c>handle_id</c>/<c>secondary</c>, <c>sequenceNumber</c> ...), an IPAM handle
/// (<c>block</c>, <c>deleted</c>), a block affinity (<c>state</c>, <c>deleted</c> as a boolean), the IPAM
/// config (<c>strict_affinity</c>, <c>auto_allocate_blocks</c>, <c>maxBlocksPerHost</c>). Metadata Calico
/// does not keep there (labels, annotations, creation time) is not kept; the UID is derived from the
/// key's create_revision, so it changes when the key is deleted and created again.</item>
/// <item>Kubernetes kinds: the object as JSON.</item>
/// </list>
/// The resourceVersion is never stored: it is the key's mod_revision.
/// </summary>
internal static class EtcdValueCodec
{
    public static byte[] Encode(ResourceKind kind, Resource resource)
    {
        resource.Metadata.ResourceVersion = null;
        var node = JsonNode.Parse(kind.SerializeResource(resource))!.AsObject();
        var spec = node["spec"]?.AsObject() ?? [];
        if (kind == ResourceKinds.IPAMBlocks)
        {
            return Bytes(spec);
        }

        if (kind == ResourceKinds.IPAMHandles)
        {
            // Calico derives the handle ID from the key; we also keep ours (Calico ignores it).
            return Bytes(new JsonObject { ["handleID"] = spec["handleID"]?.DeepClone(), ["block"] = spec["block"]?.DeepClone() ?? new JsonObject(), ["deleted"] = spec["deleted"]?.DeepClone() ?? false });
        }

        if (kind == ResourceKinds.BlockAffinities)
        {
            var affinity = (BlockAffinity)resource;
            return Bytes(new JsonObject { ["state"] = affinity.Spec.State, ["deleted"] = affinity.Spec.IsDeleted, ["type"] = affinity.Spec.Type });
        }

        if (kind == ResourceKinds.IPAMConfigs)
        {
            var config = (IPAMConfig)resource;
            return Bytes(new JsonObject
            {
                ["strict_affinity"] = config.Spec.StrictAffinity,
                ["auto_allocate_blocks"] = config.Spec.AutoAllocateBlocks,
                ["maxBlocksPerHost"] = config.Spec.MaxBlocksPerHost,
                ["ipCooldownSeconds"] = config.Spec.IpCooldownSeconds,
            });
        }

        if (kind.IsCalico && kind.CalicoV3Kind is not null)
        {
            node["apiVersion"] = ResourceKinds.CalicoV3ApiVersion;
            node["kind"] = kind.CalicoV3Kind;
        }

        return Bytes(node);
    }

    /// <summary>The object stored at <paramref name="layoutKey"/> (the key without the store's prefix).</summary>
    public static T Decode<T>(ResourceKind<T> kind, string layoutKey, KeyValue kv) where T : Resource
    {
        var value = kv.Value ?? [];
        var untyped = (ResourceKind)kind;
        T item;
        if (untyped == ResourceKinds.IPAMBlocks || untyped == ResourceKinds.IPAMHandles || untyped == ResourceKinds.BlockAffinities || untyped == ResourceKinds.IPAMConfigs)
        {
            var model = JsonNode.Parse(value)!.AsObject();
            var name = layoutKey[(layoutKey.LastIndexOf('/') + 1)..];
            JsonObject spec;
            if (untyped == ResourceKinds.IPAMHandles)
            {
                spec = new JsonObject { ["handleID"] = model["handleID"]?.DeepClone() ?? name, ["block"] = model["block"]?.DeepClone() ?? new JsonObject(), ["deleted"] = model["deleted"]?.DeepClone() ?? false };
            }
            else if (untyped == ResourceKinds.BlockAffinities)
            {
                // .../host/<node>/ipv4/block/<cidr dashed>
                var parts = layoutKey.Split('/');
                var node = parts[^4];
                var cidr = ResourceNames.TryParseDashedCidr(name, out var network) ? network.ToString() : name;
                name = ResourceNames.AffinityName(node, cidr);
                spec = new JsonObject
                {
                    ["state"] = model["state"]?.DeepClone() ?? BlockAffinityStates.Confirmed,
                    ["node"] = node,
                    ["cidr"] = cidr,
                    ["deleted"] = model["deleted"]?.GetValue<bool>() == true ? "true" : "false",
                    ["type"] = model["type"]?.DeepClone(),
                };
            }
            else if (untyped == ResourceKinds.IPAMConfigs)
            {
                name = IPAMConfig.DefaultName;
                spec = new JsonObject
                {
                    ["strictAffinity"] = model["strict_affinity"]?.DeepClone() ?? false,
                    // Absent in Calico's model means false; Calico's own default (true) applies only when the key is absent.
                    ["autoAllocateBlocks"] = model["auto_allocate_blocks"]?.DeepClone() ?? false,
                    ["maxBlocksPerHost"] = model["maxBlocksPerHost"]?.DeepClone() ?? 0,
                    ["ipCooldownSeconds"] = model["ipCooldownSeconds"]?.DeepClone(),
                };
            }
            else
            {
                spec = model;
            }

            var wrapped = new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name, ["uid"] = UidOf(kv.CreateRevision) },
                ["spec"] = spec,
            };
            item = kind.Deserialize(Encoding.UTF8.GetBytes(wrapped.ToJsonString()));
        }
        else
        {
            item = kind.Deserialize(value);
        }

        item.ApiVersion = kind.ApiVersion;
        item.Kind = kind.Kind;
        item.Metadata.ResourceVersion = kv.ModRevision.ToString(CultureInfo.InvariantCulture);
        return item;
    }

    /// <summary>A stable UID for a key generation: same for every version, new after delete and re-create.</summary>
    public static string UidOf(long createRevision) => $"00000000-0000-0000-0000-{createRevision:x12}";

    private static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}
