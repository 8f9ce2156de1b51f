using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tabby.Bgp.Fsm;
using Tabby.Bgp.Policy;
using Tabby.Bgp.Speaker;
using Tabby.Bgp.Wire;
using Tabby.Bgp.Wire.Nlri;
using Tabby.Datastore.Resources;
using Tabby.Datastore.Resources.Calico;
using Tabby.Datastore.Store;
using Tabby.Ipam.Pools;
using Tabby.Node.Agent;
using Tabby.Node.Configuration;
using Tabby.Node.Dataplane;
using Tabby.Node.Health;

namespace Tabby.Node.Bgp;

/// <summary>A peer as the node reports it (status socket, CalicoNodeStatus, readiness).</summary>
public sealed record NodePeerStatus(string Address, string Type, string State, DateTimeOffset Since, string Info, PeerStatus? Detail);

/// <summary>
/// The node's BGP: runs Tabby's speaker with the peers <see cref="PeerPlanner"/> derives from the
/// datastore, re-planned on every change without restarting sessions whose settings did not change;
/// originates the node's confirmed blocks (never pending ones, never blocks of pools with
/// disableBGPExport) and exports only those to its peers unless it is a route reflector; hands best
/// paths to the dataplane. Stops with graceful restart so peers keep the node's routes and the
/// kernel keeps the learned ones.
/// </summary>
public sealed class BgpService(NodeContextHolder holder, ChangeFeed feed, DataplaneService dataplane, HealthAggregator health,
    TimeProvider time, ILoggerFactory loggers) : BackgroundService
{
    public const string HealthName = "bgp";
    private static readonly TimeSpan Resync = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger = loggers.CreateLogger<BgpService>();
    private readonly Dictionary<IPAddress, PlannedPeer> _applied = [];
    private readonly Dictionary<BgpPrefix, RouteAttributes> _originated = [];
    private readonly PeerPolicies _policies = new();
    private HashSet<string> _problems = new(StringComparer.Ordinal);
    private BgpSpeaker? _speaker;
    private BgpPlan? _plan;
    private DateTimeOffset _startedAt;
    private bool _syncReported;
    private static readonly TimeSpan SyncSettle = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxSyncWait = TimeSpan.FromSeconds(120);

    /// <summary>The peers and their states now (empty before start-up finished).</summary>
    public async Task<IReadOnlyList<NodePeerStatus>> GetPeersAsync()
    {
        var speaker = _speaker;
        var plan = _plan;
        if (speaker is null || plan is null)
        {
            return [];
        }

        var status = await speaker.GetStatusAsync().ConfigureAwait(false);
        LastStatus = status;
        return plan.Peers.Select(p =>
        {
            var detail = status.Peers.FirstOrDefault(s => s.Address == p.Config.Address.ToString());
            var state = detail?.State ?? SessionState.Idle;
            var reason = detail?.LastReason ?? detail?.LastError;
            var info = state == SessionState.Established ? "Established" : reason is null ? state.ToString() : $"{state} {reason}";
            return new NodePeerStatus(p.Config.Address.ToString(), p.TypeText, state == SessionState.Established ? "up" : "start",
                detail?.Since ?? _startedAt, info, detail);
        }).ToList();
    }

    public BgpSpeaker? Speaker => _speaker;

    /// <summary>The speaker's status as last read (refreshed at least every 10 s; for metrics).</summary>
    public SpeakerStatus? LastStatus { get; private set; }

    /// <summary>Where each peer comes from ("node-to-node mesh", "node specific", "global"), by address.</summary>
    public IReadOnlyDictionary<string, string> PeerTypes =>
        _plan?.Peers.ToDictionary(p => p.Config.Address.ToString(), p => p.TypeText, StringComparer.Ordinal) ?? new Dictionary<string, string>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await holder.WaitAsync(stoppingToken).ConfigureAwait(false) is not { } context)
        {
            return; // start-up failed, which stops the agent
        }

        if (context.Settings.Backend != NetworkingBackend.Bgp)
        {
            _logger.LogInformation("Networking backend {Backend}: no BGP", context.Settings.Backend);
            dataplane.BgpInSync();
            return;
        }

        _startedAt = time.GetUtcNow();
        health.Register(HealthName, TimeSpan.FromSeconds(60));
        var wake = feed.Subscribe();
        var planner = new PeerPlanner(CalicoSelectorMatcher.Instance);
        Task? bestPaths = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var plan = planner.Plan(await ReadInputsAsync(context, stoppingToken).ConfigureAwait(false));

                if (_speaker is null)
                {
                    _speaker = await StartSpeakerAsync(context, plan, stoppingToken).ConfigureAwait(false);
                    bestPaths = ForwardBestPathsAsync(_speaker, stoppingToken);
                }
                else if (plan.LocalAs != _plan!.LocalAs || !plan.RouterId.Equals(_plan.RouterId) || plan.ListenPort != _plan.ListenPort
                         || !Equals(plan.ClusterId, _plan.ClusterId))
                {
                    _logger.LogWarning("BGP identity changed (AS {OldAs}->{NewAs}, router id {OldId}->{NewId}, port {OldPort}->{NewPort}); restarting the speaker",
                        _plan.LocalAs, plan.LocalAs, _plan.RouterId, plan.RouterId, _plan.ListenPort, plan.ListenPort);
                    await _speaker.StopAsync().ConfigureAwait(false);
                    await _speaker.DisposeAsync().ConfigureAwait(false);
                    _applied.Clear();
                    _originated.Clear();
                    _speaker = await StartSpeakerAsync(context, plan, stoppingToken).ConfigureAwait(false);
                    bestPaths = ForwardBestPathsAsync(_speaker, stoppingToken);
                }

                _plan = plan;
                var snapshot = await ClusterSnapshot.ReadAsync(context.Store, stoppingToken).ConfigureAwait(false);
                var problems = new List<string>();
                var advertised = AdvertisementPlanner.Plan(await ReadAdvertisementInputsAsync(context, snapshot, stoppingToken).ConfigureAwait(false), problems);
                var filters = (await context.Store.ListAsync(ResourceKinds.BGPFilters, null, stoppingToken).ConfigureAwait(false)).Items;
                // Peers get the export policy that admits the new prefixes before the prefixes
                // exist, so nothing is evaluated against a policy that is about to change.
                _policies.Begin(plan.ClusterId is not null, advertised.Select(a => a.Prefix), filters);
                await ApplyPeersAsync(plan, problems).ConfigureAwait(false);
                Originate(advertised);
                ReportProblems(plan.Problems.Concat(problems));
                await ReportHealthAsync().ConfigureAwait(false);
                await ReportSyncAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "BGP update failed: {Reason}", e.Message);
                health.Report(HealthName, new HealthReport(true, false, e.Message));
            }

            // Until in sync, look every second for the peers' End-of-RIB.
            await ChangeFeed.WaitAsync(wake, _syncReported ? Resync : TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
        }

        if (bestPaths is not null)
        {
            await bestPaths.ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_speaker is { } speaker)
        {
            // Graceful restart: no Cease, so peers keep our routes as stale until we are back, and
            // the kernel keeps the routes we learned (the dataplane does not flush them on exit).
            await speaker.StopAsync(gracefulRestart: true).ConfigureAwait(false);
            await speaker.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<BgpSpeaker> StartSpeakerAsync(NodeContext context, BgpPlan plan, CancellationToken cancellationToken)
    {
        var listen = new List<IPEndPoint>();
        if (context.IPv4 is not null)
        {
            listen.Add(new IPEndPoint(IPAddress.Any, plan.ListenPort));
        }

        if (context.IPv6 is not null)
        {
            listen.Add(new IPEndPoint(IPAddress.IPv6Any, plan.ListenPort));
        }

        var speaker = new BgpSpeaker(new BgpSpeakerOptions
        {
            LocalAs = plan.LocalAs,
            RouterId = plan.RouterId,
            ListenEndpoints = listen,
            TimeProvider = time,
            LoggerFactory = loggers,
            ClusterId = plan.ClusterId,
            PublishBestPathChanges = true,
            // A restart within the restart time counts as graceful: peers kept our routes.
            RestartingAfterGracefulRestart = true,
        });
        speaker.PeerStateChanged += (_, e) => feed.Poke();
        await speaker.StartAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("BGP speaker started: AS {As}, router id {RouterId}, port {Port}{Reflector}", plan.LocalAs, plan.RouterId, plan.ListenPort,
            plan.ClusterId is null ? "" : $", route reflector cluster {plan.ClusterId}");
        return speaker;
    }

    private async Task ForwardBestPathsAsync(BgpSpeaker speaker, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in speaker.BestPathChanges.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                dataplane.OnBestPath(change.Prefix.ToIPNetwork(), change.NextHops.Select(h => h.Address).Distinct().ToList());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Logs each configuration problem once when it appears, and once when it is gone (the loop re-plans every 10 s).</summary>
    private void ReportProblems(IEnumerable<string> current)
    {
        var now = current.ToHashSet(StringComparer.Ordinal);
        foreach (var problem in now.Where(p => !_problems.Contains(p)))
        {
            _logger.LogWarning("BGP configuration problem: {Problem}", problem);
        }

        foreach (var problem in _problems.Where(p => !now.Contains(p)))
        {
            _logger.LogInformation("BGP configuration problem resolved: {Problem}", problem);
        }

        _problems = now;
    }

    /// <summary>What the advertisements are computed from: this node's confirmed blocks (except those of pools with disableBGPExport), services and pods.</summary>
    private static async Task<AdvertisementInputs> ReadAdvertisementInputsAsync(NodeContext context, ClusterSnapshot snapshot, CancellationToken cancellationToken)
    {
        var blocks = snapshot.BlocksOf(context.NodeName)
            .Where(block => snapshot.PoolOf(block.BaseAddress)?.Spec.DisableBgpExport != true)
            .Distinct()
            .ToList();
        var configurations = (await context.Store.ListAsync(ResourceKinds.BGPConfigurations, null, cancellationToken).ConfigureAwait(false)).Items;
        var services = (await context.Store.ListAsync(ResourceKinds.Services, null, cancellationToken).ConfigureAwait(false)).Items;
        return new AdvertisementInputs(context.NodeName, blocks, configurations.FirstOrDefault(c => c.Name == BGPConfiguration.DefaultName),
            configurations.FirstOrDefault(c => c.Name == BGPConfiguration.NodePrefix + context.NodeName), services, snapshot.Pods);
    }

    /// <summary>Originates what is wanted (again when its attributes changed); withdraws what is no longer wanted.</summary>
    private void Originate(IReadOnlyList<Advertisement> wanted)
    {
        foreach (var advertisement in wanted)
        {
            if (_originated.TryGetValue(advertisement.Prefix, out var current) && SameAttributes(current, advertisement.Attributes))
            {
                continue;
            }

            _speaker!.Originate(advertisement.Prefix, advertisement.Attributes);
            _originated[advertisement.Prefix] = advertisement.Attributes;
            _logger.LogInformation("Advertising {Prefix} ({Reason})", advertisement.Prefix, advertisement.Reason);
        }

        var keep = wanted.Select(a => a.Prefix).ToHashSet();
        foreach (var prefix in _originated.Keys.Where(p => !keep.Contains(p)).ToList())
        {
            _speaker!.Withdraw(prefix);
            _originated.Remove(prefix);
            _logger.LogInformation("Withdrawing {Prefix}", prefix);
        }
    }

    private static bool SameAttributes(RouteAttributes a, RouteAttributes b) =>
        a.Communities.SequenceEqual(b.Communities) && a.LargeCommunities.SequenceEqual(b.LargeCommunities)
        && a.LocalPreference == b.LocalPreference && a.Med == b.Med && a.Origin == b.Origin && Equals(a.NextHop, b.NextHop);

    private async Task ApplyPeersAsync(BgpPlan plan, List<string> problems)
    {
        var wanted = plan.Peers.ToDictionary(p => p.Config.Address, p => p with
        {
            Config = p.Config with
            {
                ExportPolicy = _policies.For(p, FilterDirection.Export, problems),
                ImportPolicy = _policies.For(p, FilterDirection.Import, problems),
            },
        });
        foreach (var address in _applied.Keys.Where(a => !wanted.ContainsKey(a)).ToList())
        {
            await _speaker!.RemovePeerAsync(address).ConfigureAwait(false);
            _applied.Remove(address);
            _logger.LogInformation("Removed BGP peer {Peer}", address);
        }

        foreach (var (address, peer) in wanted)
        {
            if (_applied.TryGetValue(address, out var current) && current.Config == peer.Config)
            {
                continue;
            }

            await _speaker!.AddOrUpdatePeerAsync(peer.Config).ConfigureAwait(false);
            _applied[address] = peer;
        }
    }

    /// <summary>
    /// Tells the dataplane when BGP has re-learned its routes: every peer Established with its
    /// initial table complete (End-of-RIB for every family, RFC 4724 section 2; a peer that does not
    /// announce graceful restart may never send one, so for it a few seconds of Established stand
    /// in), or the restart time passed, whichever comes first.
    /// </summary>
    private async Task ReportSyncAsync()
    {
        if (_syncReported)
        {
            return;
        }

        var now = time.GetUtcNow();
        var peers = await GetPeersAsync().ConfigureAwait(false);
        var synced = peers.All(p => p.State == "up" && (p.Detail?.InitialTableReceived ?? now - p.Since >= SyncSettle));
        if (synced || now - _startedAt >= MaxSyncWait)
        {
            _syncReported = true;
            _logger.LogInformation("BGP in sync ({Why})", synced ? "every peer sent its initial table" : "restart time passed");
            dataplane.BgpInSync();
        }
    }

    private async Task ReportHealthAsync()
    {
        var peers = await GetPeersAsync().ConfigureAwait(false);
        var why = BgpReadiness.WhyNotReady(peers.Select(p => new PeerHealth(p.Address, p.State == "up")).ToList(), time.GetUtcNow() - _startedAt,
            gracefulRestartInProgress: false);
        health.Report(HealthName, new HealthReport(true, why is null, why));
    }

    private static async Task<BgpInputs> ReadInputsAsync(NodeContext context, CancellationToken cancellationToken)
    {
        var store = context.Store;
        var nodes = (await store.ListAsync(ResourceKinds.CalicoNodes, null, cancellationToken).ConfigureAwait(false)).Items;
        var configurations = (await store.ListAsync(ResourceKinds.BGPConfigurations, null, cancellationToken).ConfigureAwait(false)).Items;
        var peers = (await store.ListAsync(ResourceKinds.BGPPeers, null, cancellationToken).ConfigureAwait(false)).Items;
        // BGP passwords come from Secrets in the agent's own namespace (all the RBAC grants).
        var secrets = (await store.ListAsync(ResourceKinds.Secrets, new ListOptions { Namespace = context.Settings.Namespace }, cancellationToken)
            .ConfigureAwait(false)).Items;
        string? ReadSecret(SecretKeySelector reference) =>
            secrets.FirstOrDefault(s => s.Name == reference.Name)?.GetString(reference.Key);
        return new BgpInputs(context.NodeName, nodes, configurations.FirstOrDefault(c => c.Name == "default"),
            configurations.FirstOrDefault(c => c.Name == "node." + context.NodeName), peers, ReadSecret);
    }
}
