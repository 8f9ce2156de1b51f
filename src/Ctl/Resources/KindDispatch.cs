using Tabby.Datastore.Resources;
using Tabby.Datastore.Store;

namespace Tabby.Ctl.Resources;

/// <summary>
/// Calls the generic <see cref="IDatastore"/> methods for a kind known only at run time
/// (from the command line or a document), without reflection.
/// </summary>
internal abstract class KindDispatch
{
    private static readonly Dictionary<ResourceKind, KindDispatch> ByKind = new()
    {
        [ResourceKinds.IPPools] = new Typed<Tabby.Datastore.Resources.Calico.IPPool>(ResourceKinds.IPPools),
        [ResourceKinds.IPAMBlocks] = new Typed<Tabby.Datastore.Resources.Calico.IPAMBlock>(ResourceKinds.IPAMBlocks),
        [ResourceKinds.BlockAffinities] = new Typed<Tabby.Datastore.Resources.Calico.BlockAffinity>(ResourceKinds.BlockAffinities),
        [ResourceKinds.IPAMHandles] = new Typed<Tabby.Datastore.Resources.Calico.IPAMHandle>(ResourceKinds.IPAMHandles),
        [ResourceKinds.IPAMConfigs] = new Typed<Tabby.Datastore.Resources.Calico.IPAMConfig>(ResourceKinds.IPAMConfigs),
        [ResourceKinds.BGPConfigurations] = new Typed<Tabby.Datastore.Resources.Calico.BGPConfiguration>(ResourceKinds.BGPConfigurations),
        [ResourceKinds.BGPPeers] = new Typed<Tabby.Datastore.Resources.Calico.BGPPeer>(ResourceKinds.BGPPeers),
        [ResourceKinds.BGPFilters] = new Typed<Tabby.Datastore.Resources.Calico.BGPFilter>(ResourceKinds.BGPFilters),
        [ResourceKinds.CalicoNodes] = new Typed<Tabby.Datastore.Resources.Calico.CalicoNode>(ResourceKinds.CalicoNodes),
        [ResourceKinds.CalicoNodeStatuses] = new Typed<Tabby.Datastore.Resources.Calico.CalicoNodeStatus>(ResourceKinds.CalicoNodeStatuses),
        [ResourceKinds.NetworkPolicies] = new Typed<Tabby.Datastore.Resources.Calico.CalicoNetworkPolicy>(ResourceKinds.NetworkPolicies),
        [ResourceKinds.GlobalNetworkPolicies] = new Typed<Tabby.Datastore.Resources.Calico.GlobalNetworkPolicy>(ResourceKinds.GlobalNetworkPolicies),
        [ResourceKinds.Tiers] = new Typed<Tabby.Datastore.Resources.Calico.Tier>(ResourceKinds.Tiers),
        [ResourceKinds.KubeNodes] = new Typed<Tabby.Datastore.Resources.Kubernetes.KubeNode>(ResourceKinds.KubeNodes),
        [ResourceKinds.Pods] = new Typed<Tabby.Datastore.Resources.Kubernetes.Pod>(ResourceKinds.Pods),
        [ResourceKinds.Namespaces] = new Typed<Tabby.Datastore.Resources.Kubernetes.KubeNamespace>(ResourceKinds.Namespaces),
        [ResourceKinds.Services] = new Typed<Tabby.Datastore.Resources.Kubernetes.Service>(ResourceKinds.Services),
        [ResourceKinds.Secrets] = new Typed<Tabby.Datastore.Resources.Kubernetes.Secret>(ResourceKinds.Secrets),
        [ResourceKinds.KubeNetworkPolicies] = new Typed<Tabby.Datastore.Resources.Kubernetes.KubeNetworkPolicy>(ResourceKinds.KubeNetworkPolicies),
    };

    public static KindDispatch For(ResourceKind kind) => ByKind[kind];

    public abstract Task<Resource?> GetAsync(IDatastore store, string name, string? ns, CancellationToken cancellationToken);
    public abstract Task<IReadOnlyList<Resource>> ListAsync(IDatastore store, ListOptions options, CancellationToken cancellationToken);
    public abstract Task<Resource> CreateAsync(IDatastore store, Resource resource, CancellationToken cancellationToken);
    public abstract Task<Resource> UpdateAsync(IDatastore store, Resource resource, CancellationToken cancellationToken);
    public abstract Task<Resource> DeleteAsync(IDatastore store, string name, string? ns, CancellationToken cancellationToken);

    private sealed class Typed<T>(ResourceKind<T> kind) : KindDispatch where T : Resource
    {
        public override async Task<Resource?> GetAsync(IDatastore store, string name, string? ns, CancellationToken cancellationToken) =>
            await store.GetAsync(kind, name, ns, cancellationToken).ConfigureAwait(false);

        public override async Task<IReadOnlyList<Resource>> ListAsync(IDatastore store, ListOptions options, CancellationToken cancellationToken) =>
            (await store.ListAsync(kind, options, cancellationToken).ConfigureAwait(false)).Items;

        public override async Task<Resource> CreateAsync(IDatastore store, Resource resource, CancellationToken cancellationToken) =>
            await store.CreateAsync(kind, (T)resource, cancellationToken).ConfigureAwait(false);

        public override async Task<Resource> UpdateAsync(IDatastore store, Resource resource, CancellationToken cancellationToken) =>
            await store.UpdateAsync(kind, (T)resource, cancellationToken).ConfigureAwait(false);

        public override async Task<Resource> DeleteAsync(IDatastore store, string name, string? ns, CancellationToken cancellationToken) =>
            await store.DeleteAsync(kind, name, ns, null, cancellationToken).ConfigureAwait(false);
    }
}
