using System.Text;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Validation;

namespace Tabby.Datastore.Etcd;

/// <summary>
/// Where each kind lives in etcd. Calico kinds follow Calico's etcdv3 layout so an operator finds
/// them where calicoctl puts them:
/// <code>
/// /calico/resources/v3/projectcalico.org/&lt;plural&gt;/[&lt;namespace&gt;/]&lt;name&gt;   IPPool, BGPPeer, policies, Node ...
/// /calico/ipam/v2/assignment/ipv4/block/&lt;cidr dashed&gt;                      IPAMBlock (ipv6 likewise)
/// /calico/ipam/v2/host/&lt;node&gt;/ipv4/block/&lt;cidr dashed&gt;                  BlockAffinity
/// /calico/ipam/v2/handle/&lt;handle&gt;                                          IPAMHandle
/// /calico/ipam/v2/config                                                    IPAMConfig "default"
/// /tabby/kubernetes/&lt;group or core&gt;/&lt;plural&gt;/[&lt;namespace&gt;/]&lt;name&gt;     Kubernetes kinds (no Kubernetes here)
/// </code>
/// Values are the objects as JSON; Calico v3 kinds carry apiVersion projectcalico.org/v3.
/// The resourceVersion is never stored: it is the key's mod_revision.
/// </summary>
internal abstract class EtcdKeyLayout
{
    protected EtcdKeyLayout(string prefix) => Prefix = prefix;

    /// <summary>The key range holding every object of the kind (one namespace when given).</summary>
    public string Prefix { get; }

    public virtual string RangeStart(string? ns) => ns is null ? Prefix : Prefix + ns + "/";

    /// <summary>Keys the object called <paramref name="name"/> may have (usually one).</summary>
    public abstract IReadOnlyList<string> CandidateKeys(string name, string? ns);

    /// <summary>The key of an object about to be written.</summary>
    public abstract string KeyFor(Resource resource);

    /// <summary>False for keys in the range that belong to something else.</summary>
    public virtual bool Owns(string key) => true;

    public static EtcdKeyLayout For(ResourceKind kind) => kind switch
    {
        _ when kind == ResourceKinds.IPAMBlocks => new BlockLayout(),
        _ when kind == ResourceKinds.BlockAffinities => new AffinityLayout(),
        _ when kind == ResourceKinds.IPAMHandles => new NamedLayout("/calico/ipam/v2/handle/", namespaced: false),
        _ when kind == ResourceKinds.IPAMConfigs => new IpamConfigLayout(),
        { IsCalico: true } => new NamedLayout($"/calico/resources/v3/projectcalico.org/{kind.Plural}/", kind.Namespaced),
        _ => new NamedLayout($"/tabby/kubernetes/{(kind.Group.Length == 0 ? "core" : kind.Group)}/{kind.Plural}/", kind.Namespaced),
    };

    /// <summary>[<paramref name="start"/>, end) covering every key with that prefix (etcd's prefix range).</summary>
    public static byte[] PrefixEnd(byte[] start)
    {
        var end = (byte[])start.Clone();
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return end[..(i + 1)];
            }
        }

        return [0]; // every key
    }

    private static string Family(string cidr) => cidr.Contains(':', StringComparison.Ordinal) ? "ipv6" : "ipv4";

    /// <summary><c>&lt;prefix&gt;[&lt;namespace&gt;/]&lt;name&gt;</c>.</summary>
    private sealed class NamedLayout(string prefix, bool namespaced) : EtcdKeyLayout(prefix)
    {
        public override IReadOnlyList<string> CandidateKeys(string name, string? ns) => [Key(name, ns)];

        public override string KeyFor(Resource resource) => Key(resource.Metadata.Name, resource.Metadata.Namespace);

        public override bool Owns(string key) => key.AsSpan(Prefix.Length).Count('/') == (namespaced ? 1 : 0);

        private string Key(string name, string? ns) => namespaced ? $"{Prefix}{ns}/{name}" : Prefix + name;
    }

    private sealed class BlockLayout() : EtcdKeyLayout("/calico/ipam/v2/assignment/")
    {
        public override IReadOnlyList<string> CandidateKeys(string name, string? ns) =>
            ResourceNames.TryParseDashedCidr(name, out var network)
                ? [$"{Prefix}{Family(network.ToString())}/block/{name}"]
                : [$"{Prefix}ipv4/block/{name}", $"{Prefix}ipv6/block/{name}"];

        public override string KeyFor(Resource resource)
        {
            var block = (Resources.Calico.IPAMBlock)resource;
            return $"{Prefix}{Family(block.Spec.Cidr)}/block/{block.Name}";
        }
    }

    private sealed class AffinityLayout() : EtcdKeyLayout("/calico/ipam/v2/host/")
    {
        /// <summary>Every split of "&lt;node&gt;-&lt;cidr dashed&gt;" whose right side is a CIDR.</summary>
        public override IReadOnlyList<string> CandidateKeys(string name, string? ns)
        {
            var keys = new List<string>();
            for (var dash = name.IndexOf('-', StringComparison.Ordinal); dash > 0; dash = name.IndexOf('-', dash + 1))
            {
                var rest = name[(dash + 1)..];
                if (ResourceNames.TryParseDashedCidr(rest, out var network))
                {
                    keys.Add($"{Prefix}{name[..dash]}/{Family(network.ToString())}/block/{rest}");
                }
            }

            return keys;
        }

        public override string KeyFor(Resource resource)
        {
            var affinity = (Resources.Calico.BlockAffinity)resource;
            if (string.IsNullOrEmpty(affinity.Spec.Node) || string.IsNullOrEmpty(affinity.Spec.Cidr))
            {
                throw new Store.ResourceInvalidException($"BlockAffinity \"{affinity.Name}\"",
                    [new FieldError("spec.node", "node and cidr are required (they form the etcd key)")]);
            }

            return $"{Prefix}{affinity.Spec.Node}/{Family(affinity.Spec.Cidr)}/block/{ResourceNames.BlockName(affinity.Spec.Cidr)}";
        }

        public override bool Owns(string key) => key.Contains("/block/", StringComparison.Ordinal);
    }

    private sealed class IpamConfigLayout() : EtcdKeyLayout("/calico/ipam/v2/config")
    {
        public override string RangeStart(string? ns) => Prefix;

        public override IReadOnlyList<string> CandidateKeys(string name, string? ns) =>
            name == Resources.Calico.IPAMConfig.DefaultName ? [Prefix] : [];

        public override string KeyFor(Resource resource) =>
            resource.Name == Resources.Calico.IPAMConfig.DefaultName
                ? Prefix
                : throw new Store.ResourceInvalidException($"IPAMConfig \"{resource.Name}\"",
                    [new FieldError("metadata.name", "must be \"default\" (there is one IPAM configuration)")]);

        public override bool Owns(string key) => key == Prefix;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
