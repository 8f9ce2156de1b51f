using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Datastore.Store;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Conversion;
using Tabby.Felix.Policy.Model;
using Tabby.Node.Dataplane;

namespace Tabby.Node.Policy;

/// <summary>
/// Feeds the <see cref="PolicyCalculator"/> from the datastore incrementally: each pass lists the
/// policy inputs and hands the calculator only what was added, changed (by resourceVersion) or
/// removed since the last pass, so the calculator marks dirty only the chains and sets those
/// changes touch. Pods on this node become local endpoints on the host-side interface the CNI
/// plugin recorded; every other pod is a remote endpoint selectors resolve to. A resource that
/// does not convert is reported with its name and field and left out: a bad policy never takes
/// the others down (Felix does the same).
/// </summary>
public sealed class PolicySync(string nodeName, PolicyCalculator calculator)
{
    private readonly Dictionary<string, string> _namespaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _endpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _tiers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Version, string? ModelKey)> _policies = new(StringComparer.Ordinal);

    public PolicyCalculator Calculator => calculator;

    /// <summary>Brings the calculator up to date; returns the problems of resources left out.</summary>
    public async Task<IReadOnlyList<string>> SyncAsync(IDatastore store, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var namespaces = (await store.ListAsync(ResourceKinds.Namespaces, null, cancellationToken).ConfigureAwait(false)).Items;
        var pods = (await store.ListAsync(ResourceKinds.Pods, null, cancellationToken).ConfigureAwait(false)).Items;
        var tiers = (await store.ListAsync(ResourceKinds.Tiers, null, cancellationToken).ConfigureAwait(false)).Items;
        var kubePolicies = (await store.ListAsync(ResourceKinds.KubeNetworkPolicies, null, cancellationToken).ConfigureAwait(false)).Items;
        var calicoPolicies = (await store.ListAsync(ResourceKinds.NetworkPolicies, null, cancellationToken).ConfigureAwait(false)).Items;
        var globalPolicies = (await store.ListAsync(ResourceKinds.GlobalNetworkPolicies, null, cancellationToken).ConfigureAwait(false)).Items;

        Reconcile(_namespaces, namespaces.ToDictionary(n => n.Name, n => Version(n), StringComparer.Ordinal),
            name => calculator.UpsertNamespace(EndpointConverter.FromNamespace(namespaces.First(n => n.Name == name))),
            calculator.RemoveNamespace, "Namespace", problems);

        // A pod's namespace may not exist as a resource (yet): policy still needs its name.
        foreach (var missing in pods.Select(p => p.Namespace ?? "default").Distinct().Where(n => !calculator.Namespaces.ContainsKey(n)))
        {
            calculator.UpsertNamespace(NamespaceInfo.Create(missing));
        }

        var podsByKey = pods.ToDictionary(p => $"{p.Namespace ?? "default"}/{p.Name}", StringComparer.Ordinal);
        Reconcile(_endpoints, podsByKey.ToDictionary(p => p.Key, p => Version(p.Value) + "@" + Interface(p.Value), StringComparer.Ordinal),
            key =>
            {
                if (EndpointConverter.FromPod(podsByKey[key], Interface(podsByKey[key])) is { Addresses.Count: > 0 } endpoint)
                {
                    calculator.UpsertEndpoint(endpoint);
                }
                else
                {
                    calculator.RemoveEndpoint(key); // host-network or not yet addressed
                }
            },
            calculator.RemoveEndpoint, "Pod", problems);

        Reconcile(_tiers, tiers.ToDictionary(t => t.Name, Version, StringComparer.Ordinal),
            name => calculator.UpsertTier(CalicoPolicyConverter.Convert(tiers.First(t => t.Name == name))),
            calculator.RemoveTier, "Tier", problems);

        var policies = new Dictionary<string, (string Version, Func<Felix.Policy.Model.Policy> Convert)>(StringComparer.Ordinal);
        foreach (var p in kubePolicies)
        {
            policies[$"NetworkPolicy {p.Namespace}/{p.Name}"] = (Version(p), () => KubernetesPolicyConverter.Convert(p));
        }

        foreach (var p in calicoPolicies)
        {
            policies[$"NetworkPolicy (projectcalico.org) {p.Namespace}/{p.Name}"] = (Version(p), () => CalicoPolicyConverter.Convert(p));
        }

        foreach (var p in globalPolicies)
        {
            policies[$"GlobalNetworkPolicy {p.Name}"] = (Version(p), () => CalicoPolicyConverter.Convert(p));
        }

        foreach (var (name, known) in _policies.Where(p => !policies.ContainsKey(p.Key)).ToList())
        {
            if (known.ModelKey is { } key)
            {
                calculator.RemovePolicy(key);
            }

            _policies.Remove(name);
        }

        foreach (var (name, (version, convert)) in policies)
        {
            if (_policies.TryGetValue(name, out var known) && known.Version == version)
            {
                continue;
            }

            try
            {
                var model = convert();
                if (known.ModelKey is { } oldKey && oldKey != model.Key)
                {
                    calculator.RemovePolicy(oldKey);
                }

                calculator.UpsertPolicy(model);
                _policies[name] = (version, model.Key);
            }
            catch (Exception e) when (e is PolicyValidationException or FormatException)
            {
                problems.Add($"{name}: {e.Message}");
                if (known.ModelKey is { } oldKey)
                {
                    calculator.RemovePolicy(oldKey); // the broken version no longer applies
                }

                _policies[name] = (version, null);
            }
        }

        return problems;
    }

    private string? Interface(Pod pod) =>
        pod.Spec.NodeName == nodeName ? pod.Metadata.Annotations?.GetValueOrDefault(ClusterSnapshot.InterfaceAnnotation) : null;

    private static string Version(Resource resource) => resource.Metadata.Uid + "/" + resource.Metadata.ResourceVersion;

    /// <summary>Applies adds/changes (by version) and removals between <paramref name="known"/> and <paramref name="wanted"/>.</summary>
    private static void Reconcile(Dictionary<string, string> known, Dictionary<string, string> wanted, Action<string> upsert, Action<string> remove,
        string kind, List<string> problems)
    {
        foreach (var key in known.Keys.Where(k => !wanted.ContainsKey(k)).ToList())
        {
            remove(key);
            known.Remove(key);
        }

        foreach (var (key, version) in wanted)
        {
            if (known.TryGetValue(key, out var have) && have == version)
            {
                continue;
            }

            try
            {
                upsert(key);
            }
            catch (Exception e) when (e is PolicyValidationException or FormatException)
            {
                problems.Add($"{kind} {key}: {e.Message}");
                remove(key); // what it was before no longer describes it
            }

            known[key] = version;
        }
    }
}
