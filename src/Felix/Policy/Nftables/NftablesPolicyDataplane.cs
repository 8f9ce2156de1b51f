using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Felix.Policy.Calculation;
using Tabby.Felix.Policy.Model;

namespace Tabby.Felix.Policy.Nftables;

/// <summary>
/// Keeps the owned nftables table equal to what the <see cref="PolicyCalculator"/> says. The first
/// apply (and any apply after a failure or detected drift) atomically replaces the whole table;
/// later applies render only what the calculator marked dirty, diff it against what was applied
/// and send the difference as one transaction. <see cref="ResyncAsync"/> reads the table back and
/// repairs it when someone changed it. Nothing outside the owned table is ever touched.
/// Not thread-safe: the agent drives the calculator and this class from one loop (events, then
/// <see cref="ApplyAsync"/>; a timer posts <see cref="ResyncAsync"/> into the same loop).
/// </summary>
public sealed class NftablesPolicyDataplane
{
    private readonly PolicyCalculator _calculator;
    private readonly INftRunner _runner;
    private readonly NftablesPolicyOptions _options;
    private readonly ILogger _logger;
    private readonly ChainRenderer _renderer;

    private Dictionary<string, NftChain> _chains = new(StringComparer.Ordinal);
    private Dictionary<string, NftSet> _sets = new(StringComparer.Ordinal);
    private Dictionary<string, EndpointChains> _endpointChains = new(StringComparer.Ordinal);
    private Dictionary<string, int> _endpointChainReferences = new(StringComparer.Ordinal);
    private Dictionary<string, string> _policyIds = new(StringComparer.Ordinal);
    private Dictionary<string, HashSet<string>> _chainNetSets = new(StringComparer.Ordinal);
    private Dictionary<string, int> _netSetReferences = new(StringComparer.Ordinal);
    private bool _needsFullApply = true;
    private int _lastFullBatchBytes;
    private bool _netlinkFailed;

    public NftablesPolicyDataplane(PolicyCalculator calculator, INftRunner runner, NftablesPolicyOptions? options = null, ILogger? logger = null)
    {
        _calculator = calculator;
        _runner = runner;
        _options = options ?? new NftablesPolicyOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _renderer = new ChainRenderer(_options);
    }

    public NftablesPolicyOptions Options => _options;

    /// <summary>Chains as last applied (for tests, status and the benchmark).</summary>
    public IReadOnlyDictionary<string, NftChain> AppliedChains => _chains;

    public IReadOnlyDictionary<string, NftSet> AppliedSets => _sets;

    /// <summary>Brings the table up to date: a full replace the first time, else the difference.</summary>
    public async Task<ApplyStatistics> ApplyAsync(CancellationToken cancellationToken = default)
    {
        if (_needsFullApply)
        {
            return await ApplyFullAsync(cancellationToken).ConfigureAwait(false);
        }

        var changes = _calculator.TakeChanges();
        if (changes.IsEmpty)
        {
            return ApplyStatistics.Nothing;
        }

        return await ApplyChangesAsync(changes, full: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Atomically replaces the whole table with a fresh render.</summary>
    public async Task<ApplyStatistics> ApplyFullAsync(CancellationToken cancellationToken = default)
    {
        _calculator.MarkAllDirty();
        var changes = _calculator.TakeChanges();
        return await ApplyChangesAsync(changes, full: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The full script without applying it (for the benchmark and <c>tabbyctl</c> debugging).</summary>
    public string RenderFullScript()
    {
        _calculator.MarkAllDirty();
        var plan = Plan(_calculator.TakeChanges(), full: true);
        _needsFullApply = true; // the changes were consumed without being applied
        return plan.Script();
    }

    /// <summary>
    /// Reads the table back and compares it with what was applied (chains, rule counts, sets and
    /// their elements); on any difference replaces the table. Returns what drifted.
    /// </summary>
    public async Task<IReadOnlyList<string>> ResyncAsync(CancellationToken cancellationToken = default)
    {
        var json = await _runner.ListTableJsonAsync(_options.TableName, cancellationToken).ConfigureAwait(false);
        var drift = json is null ? [$"table inet {_options.TableName} is missing"] : NftReadback.Compare(json, _chains, _sets);
        if (drift.Count > 0 || _needsFullApply)
        {
            foreach (var d in drift)
            {
                _logger.LogWarning("nftables drift in table {Table}: {Drift}; repairing", _options.TableName, d);
            }

            await ApplyFullAsync(cancellationToken).ConfigureAwait(false);
        }

        return drift;
    }

    private async Task<ApplyStatistics> ApplyChangesAsync(PolicyChanges changes, bool full, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var plan = Plan(changes, full);
        var renderTime = stopwatch.Elapsed;
        if (!full && plan.ChangedChains == 0 && plan.ChangedSets == 0)
        {
            // The events changed nothing the kernel holds (e.g. a label no selector reads).
            plan.Commit();
            return ApplyStatistics.Nothing with { RenderTime = renderTime, TotalTime = stopwatch.Elapsed };
        }

        var viaNetlink = false;
        int bytes;
        try
        {
            // After a failed netlink transaction the repairing full apply goes through nft, so an
            // encoding or socket problem (say, a send buffer the kernel would not enlarge) cannot
            // fail every apply from then on.
            using var batch = _options.ApplyViaNetlink && _runner is INftNetlinkRunner && !(full && _netlinkFailed) ? TryBuildBatch(plan) : null;
            if (batch is not null)
            {
                // The script text is only made when someone asks (logs, tests): a full one is megabytes.
                viaNetlink = true;
                bytes = batch.Length;
                await ((INftNetlinkRunner)_runner).ApplyNetlinkAsync(batch, plan.Script, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var script = plan.Script();
                bytes = script.Length;
                await _runner.ApplyAsync(script, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // The kernel kept the old table (one transaction); our bookkeeping may now be wrong
            // for the consumed changes, so the next apply replaces everything.
            _needsFullApply = true;
            _netlinkFailed = viaNetlink;
            throw;
        }

        if (full && !viaNetlink)
        {
            _netlinkFailed = false;
        }

        plan.Commit();
        _needsFullApply = false;
        var statistics = new ApplyStatistics(full, plan.ChangedChains, plan.ChangedSets, bytes, renderTime, stopwatch.Elapsed) { ViaNetlink = viaNetlink };
        _logger.LogDebug("applied policy to nftables: {Statistics}", statistics);
        return statistics;
    }

    /// <summary>The plan as netlink messages, or null when it holds something only nft writes (then the script is sent).</summary>
    private Netlink.NftNetlinkBatch? TryBuildBatch(ApplyPlan plan)
    {
        // Netlink needs about 3 bytes per byte of rule text; a full apply sizes its buffer once.
        var batch = new Netlink.NftNetlinkBatch(_options.TableName, plan.Full ? Math.Max(1 << 20, _lastFullBatchBytes + (_lastFullBatchBytes / 8)) : 16 * 1024);
        try
        {
            plan.Replay(batch.AsTransaction());
            if (!batch.IsEmpty && batch.Length <= Netlink.NftNetlinkBatch.MaxLength)
            {
                if (plan.Full)
                {
                    _lastFullBatchBytes = batch.Length;
                }

                return batch;
            }
        }
        catch (NotSupportedException e)
        {
            _logger.LogDebug("incremental apply goes through nft: {Reason}", e.Message);
        }

        batch.Dispose();
        return null;
    }

    private ApplyPlan Plan(PolicyChanges changes, bool full)
    {
        var appliedChains = full ? new Dictionary<string, NftChain>(StringComparer.Ordinal) : _chains;
        var appliedSets = full ? new Dictionary<string, NftSet>(StringComparer.Ordinal) : _sets;
        var endpointChains = full ? new Dictionary<string, EndpointChains>(StringComparer.Ordinal) : new Dictionary<string, EndpointChains>(_endpointChains, StringComparer.Ordinal);
        var endpointChainReferences = full ? new Dictionary<string, int>(StringComparer.Ordinal) : new Dictionary<string, int>(_endpointChainReferences, StringComparer.Ordinal);
        var policyIds = full ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(_policyIds, StringComparer.Ordinal);
        var chainNetSets = full ? new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) : new Dictionary<string, HashSet<string>>(_chainNetSets, StringComparer.Ordinal);
        var netSetReferences = full ? new Dictionary<string, int>(StringComparer.Ordinal) : new Dictionary<string, int>(_netSetReferences, StringComparer.Ordinal);

        var chains = new Dictionary<string, NftChain?>(StringComparer.Ordinal);
        var sets = new Dictionary<string, NftSet?>(StringComparer.Ordinal);
        var netSets = new Dictionary<string, NftSet>(StringComparer.Ordinal);

        if (full)
        {
            foreach (var chain in _renderer.RenderBaseChains())
            {
                chains[chain.Name] = chain;
            }
        }

        // Policy chains.
        foreach (var key in changes.Policies)
        {
            var compiled = _calculator.Policies.GetValueOrDefault(key);
            if (policyIds.Remove(key, out var oldId))
            {
                foreach (var direction in new[] { Direction.Ingress, Direction.Egress })
                {
                    var oldChain = NftNames.PolicyChain(oldId, direction);
                    chains[oldChain] = null;
                    SetChainNetSets(oldChain, [], chainNetSets, netSetReferences);
                }
            }

            if (compiled is null)
            {
                continue;
            }

            policyIds[key] = compiled.ShortId;
            foreach (var direction in new[] { Direction.Ingress, Direction.Egress })
            {
                if (compiled.Policy.Covers(direction))
                {
                    var chainSets = new Dictionary<string, NftSet>(StringComparer.Ordinal);
                    var chain = _renderer.RenderPolicyChain(compiled, direction, chainSets);
                    chains[chain.Name] = chain;
                    foreach (var (name, set) in chainSets)
                    {
                        netSets.TryAdd(name, set);
                    }

                    SetChainNetSets(chain.Name, chainSets.Keys, chainNetSets, netSetReferences);
                }
            }
        }

        // Endpoint chains and their map entries.
        var fromMap = full ? Empty(NftNames.FromEndpointMap, "ifname : verdict", isMap: true) : _sets[NftNames.FromEndpointMap];
        var toMap = full ? Empty(NftNames.ToEndpointMap, "ifname : verdict", isMap: true) : _sets[NftNames.ToEndpointMap];
        var interfaces = full ? Empty(NftNames.EndpointInterfaces, "ifname", isMap: false) : _sets[NftNames.EndpointInterfaces];
        var fromElements = new HashSet<string>(fromMap.Elements, StringComparer.Ordinal);
        var toElements = new HashSet<string>(toMap.Elements, StringComparer.Ordinal);
        var interfaceElements = new HashSet<string>(interfaces.Elements, StringComparer.Ordinal);
        void Release(string chain)
        {
            if ((endpointChainReferences[chain] -= 1) == 0)
            {
                endpointChainReferences.Remove(chain);
                chains[chain] = null;
            }
        }

        void Acquire(NftChain chain)
        {
            var count = endpointChainReferences.GetValueOrDefault(chain.Name);
            endpointChainReferences[chain.Name] = count + 1;
            if (count == 0)
            {
                chains[chain.Name] = chain; // new, or revived in this plan after its last release
            }
        }

        foreach (var key in changes.Endpoints)
        {
            if (endpointChains.Remove(key, out var old))
            {
                fromElements.Remove(MapElement(old.Interface, old.Egress));
                toElements.Remove(MapElement(old.Interface, old.Ingress));
                interfaceElements.Remove(Quoted(old.Interface));
                Release(old.Ingress);
                Release(old.Egress);
            }

            if (_calculator.Endpoints.GetValueOrDefault(key) is not { IsLocal: true } endpoint)
            {
                continue;
            }

            var ifname = endpoint.InterfaceName!;
            var policies = _calculator.PoliciesFor(endpoint);
            var ingress = _renderer.RenderEndpointChain(Direction.Ingress, policies, _calculator.Ordering);
            var egress = _renderer.RenderEndpointChain(Direction.Egress, policies, _calculator.Ordering);
            Acquire(ingress);
            Acquire(egress);
            endpointChains[key] = new EndpointChains(ifname, ingress.Name, egress.Name);
            fromElements.Add(MapElement(ifname, egress.Name));
            toElements.Add(MapElement(ifname, ingress.Name));
            interfaceElements.Add(Quoted(ifname));
        }

        AddIfChanged(sets, fromMap with { Elements = fromElements }, appliedSets);
        AddIfChanged(sets, toMap with { Elements = toElements }, appliedSets);
        AddIfChanged(sets, interfaces with { Elements = interfaceElements }, appliedSets);

        // Selection and named-port sets.
        foreach (var id in changes.Selections)
        {
            var state = _calculator.FindSelection(id);
            foreach (var family in _options.IpVersions)
            {
                var name = NftNames.SelectionSet(id, family);
                sets[name] = state is null ? null : new NftSet(name, family == 4 ? "ipv4_addr" : "ipv6_addr", false, SelectionElements(state, family));
            }
        }

        foreach (var id in changes.NamedPorts)
        {
            var state = _calculator.FindNamedPorts(id);
            foreach (var family in _options.IpVersions)
            {
                var name = NftNames.NamedPortSet(id, family);
                sets[name] = state is null ? null
                    : new NftSet(name, $"{(family == 4 ? "ipv4_addr" : "ipv6_addr")} . inet_proto . inet_service", false, NamedPortElements(state, family));
            }
        }

        // Content-named net sets: created with their first reference, deleted with their last.
        foreach (var (name, set) in netSets)
        {
            if (!appliedSets.ContainsKey(name))
            {
                sets[name] = set;
            }
        }

        foreach (var (name, count) in netSetReferences.ToList())
        {
            if (count == 0)
            {
                netSetReferences.Remove(name);
                sets[name] = null;
            }
        }

        // Drop no-op entries so statistics show what really changed.
        foreach (var (name, chain) in chains.ToList())
        {
            if (chain is not null && chain.SameAs(appliedChains.GetValueOrDefault(name)))
            {
                chains.Remove(name);
            }
            else if (chain is null && !appliedChains.ContainsKey(name))
            {
                chains.Remove(name);
            }
        }

        foreach (var (name, set) in sets.ToList())
        {
            if ((set is not null && set.SameAs(appliedSets.GetValueOrDefault(name))) || (set is null && !appliedSets.ContainsKey(name)))
            {
                sets.Remove(name);
            }
        }

        string Script() => NftScriptWriter.Write(_options.TableName, full, appliedSets, sets, appliedChains, chains);
        void Replay(INftTransaction transaction) => NftScriptWriter.Write(transaction, full, appliedSets, sets, appliedChains, chains);
        return new ApplyPlan(full, Script, chains.Count, sets.Count, Replay, () =>
        {
            var newChains = full ? new Dictionary<string, NftChain>(StringComparer.Ordinal) : _chains;
            var newSets = full ? new Dictionary<string, NftSet>(StringComparer.Ordinal) : _sets;
            foreach (var (name, chain) in chains)
            {
                if (chain is null)
                {
                    newChains.Remove(name);
                }
                else
                {
                    newChains[name] = chain;
                }
            }

            foreach (var (name, set) in sets)
            {
                if (set is null)
                {
                    newSets.Remove(name);
                }
                else
                {
                    newSets[name] = set;
                }
            }

            _chains = newChains;
            _sets = newSets;
            _endpointChains = endpointChains;
            _endpointChainReferences = endpointChainReferences;
            _policyIds = policyIds;
            _chainNetSets = chainNetSets;
            _netSetReferences = netSetReferences;
        });
    }

    private static void SetChainNetSets(string chain, IEnumerable<string> names, Dictionary<string, HashSet<string>> chainNetSets,
        Dictionary<string, int> references)
    {
        var now = new HashSet<string>(names, StringComparer.Ordinal);
        var before = chainNetSets.GetValueOrDefault(chain) ?? [];
        foreach (var name in before.Except(now))
        {
            references[name]--;
        }

        foreach (var name in now.Except(before))
        {
            references[name] = references.GetValueOrDefault(name) + 1;
        }

        chainNetSets[chain] = now;
    }

    private static void AddIfChanged(Dictionary<string, NftSet?> sets, NftSet set, Dictionary<string, NftSet> applied)
    {
        if (!set.SameAs(applied.GetValueOrDefault(set.Name)))
        {
            sets[set.Name] = set;
        }
    }

    private static NftSet Empty(string name, string type, bool isMap) =>
        new(name, type, false, new HashSet<string>(StringComparer.Ordinal), isMap);

    private HashSet<string> SelectionElements(SelectionState state, int family)
    {
        var af = family == 4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var elements = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in state.Members)
        {
            foreach (var address in _calculator.Endpoints[key].Addresses)
            {
                if (address.AddressFamily == af)
                {
                    elements.Add(address.ToString());
                }
            }
        }

        return elements;
    }

    private HashSet<string> NamedPortElements(NamedPortState state, int family)
    {
        var af = family == 4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var protocol = state.Selection.Protocol.NftName;
        var elements = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, port) in state.Members)
        {
            foreach (var address in _calculator.Endpoints[key].Addresses)
            {
                if (address.AddressFamily == af)
                {
                    elements.Add(string.Create(CultureInfo.InvariantCulture, $"{address} . {protocol} . {port}"));
                }
            }
        }

        return elements;
    }

    private static string Quoted(string ifname) => $"\"{ifname}\"";

    private static string MapElement(string ifname, string chain) => $"\"{ifname}\" : jump {chain}";

    /// <summary>The interface of a local endpoint and the shared chains its map entries jump to.</summary>
    private sealed record EndpointChains(string Interface, string Ingress, string Egress);

    /// <summary>What one apply will change: <see cref="Script"/> writes it as nft text, <see cref="Replay"/> into any transaction.</summary>
    private sealed record ApplyPlan(bool Full, Func<string> Script, int ChangedChains, int ChangedSets, Action<INftTransaction> Replay, Action Commit);
}

/// <summary>What one apply did: full or incremental, how much changed, how long rendering and the whole apply took.</summary>
public sealed record ApplyStatistics(bool Full, int ChangedChains, int ChangedSets, int ScriptBytes, TimeSpan RenderTime, TimeSpan TotalTime)
{
    public static readonly ApplyStatistics Nothing = new(false, 0, 0, 0, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>True when the transaction went to the kernel as netlink messages rather than through nft.</summary>
    public bool ViaNetlink { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Full ? "full" : "incremental")}{(ViaNetlink ? " (netlink)" : "")}: {ChangedChains} chains, {ChangedSets} sets, {ScriptBytes} bytes, render {RenderTime.TotalMilliseconds:F1} ms, total {TotalTime.TotalMilliseconds:F1} ms");
}
