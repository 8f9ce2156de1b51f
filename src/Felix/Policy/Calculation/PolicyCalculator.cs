using System.Net;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Calculation;

/// <summary>
/// The incremental policy calculation: holds tiers, policies, namespaces and endpoints; keeps for
/// every local endpoint the ordered list of policies that apply to it and for every selection used
/// by a rule the endpoints it resolves to. Each update touches only what it affects and records the
/// dirty endpoints, policies and sets for the renderer (<see cref="TakeChanges"/>); nothing is
/// recomputed from scratch per event. Not thread-safe (one agent loop owns it).
/// </summary>
public sealed class PolicyCalculator
{
    private readonly Dictionary<string, Tier> _tiers = new(StringComparer.Ordinal) { [Tier.Default.Name] = Tier.Default };
    private readonly Dictionary<string, CompiledPolicy> _policies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamespaceInfo> _namespaces = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Endpoint> _endpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _endpointsByNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<IPAddress, Endpoint> _byAddress = [];
    private readonly Dictionary<string, SelectionState> _selections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NamedPortState> _namedPorts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<CompiledPolicy>> _applied = new(StringComparer.Ordinal);
    private PolicyChanges _changes = new();

    public PolicyCalculator()
    {
        Ordering = new PolicyOrdering(name => _tiers.GetValueOrDefault(name));
    }

    public PolicyOrdering Ordering { get; }

    public IReadOnlyDictionary<string, CompiledPolicy> Policies => _policies;

    public IReadOnlyDictionary<string, Endpoint> Endpoints => _endpoints;

    public IReadOnlyDictionary<string, NamespaceInfo> Namespaces => _namespaces;

    public IReadOnlyDictionary<string, Tier> Tiers => _tiers;

    public IEnumerable<Endpoint> LocalEndpoints => _endpoints.Values.Where(e => e.IsLocal);

    public IEnumerable<SelectionState> Selections => _selections.Values;

    public IEnumerable<NamedPortState> NamedPortSets => _namedPorts.Values;

    public SelectionState? FindSelection(string id) => _selections.GetValueOrDefault(id);

    public NamedPortState? FindNamedPorts(string id) => _namedPorts.GetValueOrDefault(id);

    /// <summary>The endpoint that owns <paramref name="address"/>, if any.</summary>
    public Endpoint? EndpointByAddress(IPAddress address) => _byAddress.GetValueOrDefault(Normalize(address));

    public NamespaceInfo? NamespaceOf(Endpoint endpoint) => _namespaces.GetValueOrDefault(endpoint.Namespace);

    /// <summary>
    /// Policies that apply to <paramref name="endpoint"/> in evaluation order (both directions; a
    /// policy covers a direction per its types). Cached for local endpoints, computed for others.
    /// </summary>
    public IReadOnlyList<CompiledPolicy> PoliciesFor(Endpoint endpoint) =>
        endpoint.IsLocal && _applied.TryGetValue(endpoint.Key, out var cached) && ReferenceEquals(_endpoints.GetValueOrDefault(endpoint.Key), endpoint)
            ? cached
            : ComputeApplied(endpoint);

    /// <summary>Returns what changed since the last call and starts a new change set.</summary>
    public PolicyChanges TakeChanges()
    {
        var taken = _changes;
        _changes = new PolicyChanges();
        return taken;
    }

    /// <summary>Marks everything dirty, for a full render (first apply, resync).</summary>
    public void MarkAllDirty()
    {
        _changes.Endpoints.UnionWith(_applied.Keys);
        _changes.Policies.UnionWith(_policies.Keys);
        _changes.Selections.UnionWith(_selections.Keys);
        _changes.NamedPorts.UnionWith(_namedPorts.Keys);
    }

    public void UpsertTier(Tier tier)
    {
        tier.Validate();
        if (_tiers.TryGetValue(tier.Name, out var old) && old == tier)
        {
            return;
        }

        _tiers[tier.Name] = tier;
        ResortAll();
    }

    public void RemoveTier(string name)
    {
        if (name != Tier.Default.Name && _tiers.Remove(name))
        {
            ResortAll();
        }
    }

    public void UpsertNamespace(NamespaceInfo ns)
    {
        _namespaces[ns.Name] = ns;
        if (!_endpointsByNamespace.TryGetValue(ns.Name, out var keys))
        {
            return;
        }

        // Only selections with a namespaceSelector can change membership.
        foreach (var key in keys)
        {
            var endpoint = _endpoints[key];
            if (endpoint.IsLocal)
            {
                var list = ComputeApplied(endpoint);
                if (!_applied[key].SequenceEqual(list))
                {
                    _applied[key] = list;
                    _changes.Endpoints.Add(key);
                }
            }

            foreach (var state in _selections.Values)
            {
                if (state.Selection.UsesNamespaceLabels)
                {
                    UpdateMembership(state, endpoint, ns);
                }
            }

            foreach (var state in _namedPorts.Values)
            {
                if (state.Selection.Endpoints.UsesNamespaceLabels)
                {
                    UpdateMembership(state, endpoint, ns);
                }
            }
        }
    }

    public void RemoveNamespace(string name)
    {
        if (_namespaces.Remove(name))
        {
            UpsertNamespace(new NamespaceInfo(name, new Dictionary<string, string>()));
            _namespaces.Remove(name);
        }
    }

    public void UpsertEndpoint(Endpoint endpoint)
    {
        endpoint.Validate();
        endpoint = endpoint with { Addresses = [.. endpoint.Addresses.Select(Normalize).Distinct()] };
        var old = _endpoints.GetValueOrDefault(endpoint.Key);
        if (old is not null)
        {
            RemoveAddresses(old);
        }

        foreach (var address in endpoint.Addresses)
        {
            if (_byAddress.TryGetValue(address, out var owner) && owner.Key != endpoint.Key)
            {
                throw new PolicyValidationException("addresses", $"{address} already belongs to endpoint {owner.Key}");
            }
        }

        foreach (var address in endpoint.Addresses)
        {
            _byAddress[address] = endpoint;
        }

        _endpoints[endpoint.Key] = endpoint;
        if (!_endpointsByNamespace.TryGetValue(endpoint.Namespace, out var keys))
        {
            _endpointsByNamespace[endpoint.Namespace] = keys = new HashSet<string>(StringComparer.Ordinal);
        }

        keys.Add(endpoint.Key);
        var addressesChanged = old is null || !old.Addresses.SequenceEqual(endpoint.Addresses) || !old.NamedPorts.SequenceEqual(endpoint.NamedPorts);
        var ns = NamespaceOf(endpoint);
        foreach (var state in _selections.Values)
        {
            if (UpdateMembership(state, endpoint, ns) is false && addressesChanged && state.Members.Contains(endpoint.Key))
            {
                _changes.Selections.Add(state.Selection.Id);
            }
        }

        foreach (var state in _namedPorts.Values)
        {
            if (UpdateMembership(state, endpoint, ns) is false && addressesChanged && state.Members.ContainsKey(endpoint.Key))
            {
                _changes.NamedPorts.Add(state.Selection.Id);
            }
        }

        if (endpoint.IsLocal)
        {
            var list = ComputeApplied(endpoint);
            if (old is null || !old.IsLocal || old.InterfaceName != endpoint.InterfaceName
                || !_applied.TryGetValue(endpoint.Key, out var before) || !before.SequenceEqual(list))
            {
                _changes.Endpoints.Add(endpoint.Key);
            }

            if (old?.InterfaceName is { } oldInterface && oldInterface != endpoint.InterfaceName)
            {
                _changes.RemovedInterfaces.Add(oldInterface);
            }

            _applied[endpoint.Key] = list;
        }
        else if (_applied.Remove(endpoint.Key))
        {
            _changes.Endpoints.Add(endpoint.Key);
            _changes.RemovedInterfaces.Add(old!.InterfaceName!);
        }
    }

    public void RemoveEndpoint(string key)
    {
        if (!_endpoints.Remove(key, out var old))
        {
            return;
        }

        RemoveAddresses(old);
        _endpointsByNamespace[old.Namespace].Remove(key);
        foreach (var state in _selections.Values)
        {
            if (state.Members.Remove(key))
            {
                _changes.Selections.Add(state.Selection.Id);
            }
        }

        foreach (var state in _namedPorts.Values)
        {
            if (state.Members.Remove(key))
            {
                _changes.NamedPorts.Add(state.Selection.Id);
            }
        }

        if (_applied.Remove(key))
        {
            _changes.Endpoints.Add(key);
            _changes.RemovedInterfaces.Add(old.InterfaceName!);
        }
    }

    /// <summary>Adds or replaces a policy (validated; throws <see cref="PolicyValidationException"/>).</summary>
    public CompiledPolicy UpsertPolicy(Model.Policy policy)
    {
        var compiled = CompiledPolicy.Compile(policy);
        var old = _policies.GetValueOrDefault(compiled.Key);
        foreach (var selection in compiled.Selections)
        {
            AddReference(selection);
        }

        foreach (var selection in compiled.NamedPortSelections)
        {
            AddReference(selection);
        }

        _policies[compiled.Key] = compiled;
        if (old is not null)
        {
            ReleaseReferences(old);
        }

        var orderChanged = old is null || old.Policy.Tier != policy.Tier || old.Policy.Order != policy.Order || old.Policy.Types != policy.Types;
        foreach (var endpoint in LocalEndpoints)
        {
            var was = old is not null && old.AppliesTo.Matches(endpoint, NamespaceOf(endpoint));
            var now = compiled.AppliesTo.Matches(endpoint, NamespaceOf(endpoint));
            if (!was && !now)
            {
                continue;
            }

            var list = _applied[endpoint.Key];
            if (was)
            {
                list.Remove(old!);
            }

            if (now)
            {
                var at = list.BinarySearch(compiled, Ordering);
                list.Insert(at < 0 ? ~at : at, compiled);
            }

            if (was != now || orderChanged)
            {
                _changes.Endpoints.Add(endpoint.Key);
            }
        }

        _changes.Policies.Add(compiled.Key);
        return compiled;
    }

    public void RemovePolicy(string key)
    {
        if (!_policies.Remove(key, out var old))
        {
            return;
        }

        ReleaseReferences(old);
        foreach (var (endpointKey, list) in _applied)
        {
            if (list.Remove(old))
            {
                _changes.Endpoints.Add(endpointKey);
            }
        }

        _changes.Policies.Add(key);
    }

    private List<CompiledPolicy> ComputeApplied(Endpoint endpoint)
    {
        var list = new List<CompiledPolicy>();
        foreach (var policy in _policies.Values)
        {
            if (policy.AppliesTo.Matches(endpoint, NamespaceOf(endpoint)))
            {
                list.Add(policy);
            }
        }

        list.Sort(Ordering);
        return list;
    }

    private void ResortAll()
    {
        foreach (var (key, list) in _applied)
        {
            list.Sort(Ordering);
            _changes.Endpoints.Add(key);
        }
    }

    private void RemoveAddresses(Endpoint endpoint)
    {
        foreach (var address in endpoint.Addresses)
        {
            if (_byAddress.TryGetValue(address, out var owner) && owner.Key == endpoint.Key)
            {
                _byAddress.Remove(address);
            }
        }
    }

    private void AddReference(EndpointSelection selection)
    {
        if (!_selections.TryGetValue(selection.Id, out var state))
        {
            _selections[selection.Id] = state = new SelectionState(selection);
            foreach (var endpoint in _endpoints.Values)
            {
                UpdateMembership(state, endpoint, NamespaceOf(endpoint));
            }

            _changes.Selections.Add(selection.Id);
        }

        state.References++;
    }

    private void AddReference(NamedPortSelection selection)
    {
        if (!_namedPorts.TryGetValue(selection.Id, out var state))
        {
            _namedPorts[selection.Id] = state = new NamedPortState(selection);
            foreach (var endpoint in _endpoints.Values)
            {
                UpdateMembership(state, endpoint, NamespaceOf(endpoint));
            }

            _changes.NamedPorts.Add(selection.Id);
        }

        state.References++;
    }

    private void ReleaseReferences(CompiledPolicy policy)
    {
        foreach (var selection in policy.Selections)
        {
            var state = _selections[selection.Id];
            if (--state.References == 0)
            {
                _selections.Remove(selection.Id);
                _changes.Selections.Add(selection.Id);
            }
        }

        foreach (var selection in policy.NamedPortSelections)
        {
            var state = _namedPorts[selection.Id];
            if (--state.References == 0)
            {
                _namedPorts.Remove(selection.Id);
                _changes.NamedPorts.Add(selection.Id);
            }
        }
    }

    /// <summary>Updates one endpoint's membership; true/false = changed/unchanged.</summary>
    private bool UpdateMembership(SelectionState state, Endpoint endpoint, NamespaceInfo? ns)
    {
        var member = state.Selection.Matches(endpoint, ns);
        var changed = member ? state.Members.Add(endpoint.Key) : state.Members.Remove(endpoint.Key);
        if (changed)
        {
            _changes.Selections.Add(state.Selection.Id);
        }

        return changed;
    }

    private bool UpdateMembership(NamedPortState state, Endpoint endpoint, NamespaceInfo? ns)
    {
        var port = state.Selection.Endpoints.Matches(endpoint, ns)
            ? endpoint.ResolveNamedPort(state.Selection.PortName, state.Selection.Protocol)
            : null;
        bool changed;
        if (port is { } p)
        {
            changed = !state.Members.TryGetValue(endpoint.Key, out var before) || before != p;
            state.Members[endpoint.Key] = (ushort)p;
        }
        else
        {
            changed = state.Members.Remove(endpoint.Key);
        }

        if (changed)
        {
            _changes.NamedPorts.Add(state.Selection.Id);
        }

        return changed;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

/// <summary>Endpoints (by key) that a selection currently resolves to.</summary>
public sealed class SelectionState(EndpointSelection selection)
{
    public EndpointSelection Selection { get; } = selection;

    public HashSet<string> Members { get; } = new(StringComparer.Ordinal);

    internal int References { get; set; }
}

/// <summary>Endpoints (by key) with the port number the named port resolves to on each.</summary>
public sealed class NamedPortState(NamedPortSelection selection)
{
    public NamedPortSelection Selection { get; } = selection;

    public Dictionary<string, ushort> Members { get; } = new(StringComparer.Ordinal);

    internal int References { get; set; }
}

/// <summary>What changed since the last render: keys of local endpoints, policies, selection and named-port set ids.</summary>
public sealed class PolicyChanges
{
    public HashSet<string> Endpoints { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Policies { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Selections { get; } = new(StringComparer.Ordinal);

    public HashSet<string> NamedPorts { get; } = new(StringComparer.Ordinal);

    /// <summary>Interfaces of local endpoints that went away or were renamed.</summary>
    public HashSet<string> RemovedInterfaces { get; } = new(StringComparer.Ordinal);

    public bool IsEmpty => Endpoints.Count == 0 && Policies.Count == 0 && Selections.Count == 0 && NamedPorts.Count == 0;
}
