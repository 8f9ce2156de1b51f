using System.Text.Json;
using System.Text.Json.Nodes;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Kubernetes;
using Tabby.Datastore.Store;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Conversion;
using Tabby.Felix.Policy.Model;

namespace Tabby.Ctl.Policy;

/// <summary>
/// Builds the same <see cref="PolicyCalculator"/> the agent builds, from manifests or a datastore:
/// namespaces, pods (every pod with an address is an endpoint), tiers and the three policy kinds.
/// A resource that does not convert is an error naming the resource and the field: the trace must
/// never silently leave out a policy.
/// </summary>
internal static class PolicyModelLoader
{
    public static PolicyCalculator FromManifests(IEnumerable<JsonObject> objects)
    {
        var namespaces = new List<KubeNamespace>();
        var pods = new List<Pod>();
        var models = new List<object>();
        foreach (var obj in objects)
        {
            var kind = (string?)obj["kind"];
            var api = (string?)obj["apiVersion"] ?? "";
            var text = obj.ToJsonString();
            var ns = (string?)obj["metadata"]?["namespace"];
            var name = $"{kind} {(ns is null ? "" : ns + "/")}{(string?)obj["metadata"]?["name"]}";
            Wrap(name, () =>
            {
                switch (kind)
                {
                    case "Namespace":
                        namespaces.Add(JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.KubeNamespace)!);
                        break;
                    case "Pod":
                        pods.Add(JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.Pod)!);
                        break;
                    case "NetworkPolicy" when api.StartsWith("networking.k8s.io/", StringComparison.Ordinal):
                        models.Add(KubernetesPolicyConverter.Convert(JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.KubeNetworkPolicy)!));
                        break;
                    case "NetworkPolicy":
                        models.Add(CalicoPolicyConverter.Convert(JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.CalicoNetworkPolicy)!));
                        break;
                    case "GlobalNetworkPolicy":
                        models.Add(CalicoPolicyConverter.Convert(JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.GlobalNetworkPolicy)!));
                        break;
                    case "Tier":
                        models.Add(CalicoPolicyConverter.Convert(JsonSerializer.Deserialize(text, DatastoreJsonContext.Default.Tier)!));
                        break;
                }
            });
        }

        return Build(namespaces, pods, models);
    }

    public static async Task<PolicyCalculator> FromDatastoreAsync(IDatastore store, CancellationToken cancellationToken)
    {
        var namespaces = (await store.ListAsync(ResourceKinds.Namespaces, null, cancellationToken).ConfigureAwait(false)).Items;
        var pods = (await store.ListAsync(ResourceKinds.Pods, null, cancellationToken).ConfigureAwait(false)).Items;
        var models = new List<object>();
        foreach (var tier in (await store.ListAsync(ResourceKinds.Tiers, null, cancellationToken).ConfigureAwait(false)).Items)
        {
            Wrap($"Tier {tier.Name}", () => models.Add(CalicoPolicyConverter.Convert(tier)));
        }

        foreach (var p in (await store.ListAsync(ResourceKinds.KubeNetworkPolicies, null, cancellationToken).ConfigureAwait(false)).Items)
        {
            Wrap($"NetworkPolicy {p.Namespace}/{p.Name}", () => models.Add(KubernetesPolicyConverter.Convert(p)));
        }

        foreach (var p in (await store.ListAsync(ResourceKinds.NetworkPolicies, null, cancellationToken).ConfigureAwait(false)).Items)
        {
            Wrap($"NetworkPolicy (projectcalico.org) {p.Namespace}/{p.Name}", () => models.Add(CalicoPolicyConverter.Convert(p)));
        }

        foreach (var p in (await store.ListAsync(ResourceKinds.GlobalNetworkPolicies, null, cancellationToken).ConfigureAwait(false)).Items)
        {
            Wrap($"GlobalNetworkPolicy {p.Name}", () => models.Add(CalicoPolicyConverter.Convert(p)));
        }

        return Build(namespaces, pods, models);
    }

    private static PolicyCalculator Build(IEnumerable<KubeNamespace> namespaces, IEnumerable<Pod> pods, IEnumerable<object> models)
    {
        var calculator = new PolicyCalculator();
        foreach (var ns in namespaces)
        {
            calculator.UpsertNamespace(EndpointConverter.FromNamespace(ns));
        }

        foreach (var pod in pods)
        {
            Wrap($"Pod {pod.Namespace}/{pod.Name}", () =>
            {
                if (EndpointConverter.FromPod(pod) is { Addresses.Count: > 0 } endpoint)
                {
                    if (!calculator.Namespaces.ContainsKey(endpoint.Namespace))
                    {
                        calculator.UpsertNamespace(NamespaceInfo.Create(endpoint.Namespace));
                    }

                    calculator.UpsertEndpoint(endpoint);
                }
            });
        }

        foreach (var model in models.OfType<Tier>())
        {
            calculator.UpsertTier(model);
        }

        foreach (var model in models.OfType<Felix.Policy.Model.Policy>())
        {
            calculator.UpsertPolicy(model);
        }

        return calculator;
    }

    private static void Wrap(string resource, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is PolicyValidationException or JsonException or FormatException)
        {
            throw new InvalidDataException($"{resource}: {e.Message}", e);
        }
    }
}
