using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Routes;

namespace Tabby.Felix.RouteTable;

/// <summary>
/// Keeps one kernel routing table's routes of our protocol equal to what the sources want.
///
/// A delta tracker in Felix's manner: sources update desired routes cheaply (<see cref="SetRoutes"/>,
/// <see cref="SetRoute"/>), which only marks destinations dirty; <see cref="Reconcile"/> then compares
/// each dirty destination's winner with the kernel's copy and sends the minimal adds, replaces and
/// deletes as one netlink batch. A full resync (periodic, after a link change, after lost events or
/// an error) re-reads the kernel and marks everything dirty, which repairs drift: a route someone
/// deleted or changed, a route via an interface that came back with a new ifindex.
///
/// Ownership: only routes with <see cref="RouteTableOptions.Protocol"/> are read, changed or deleted.
/// A destination held by another owner's route is never overwritten: our add is exclusive, fails with
/// EEXIST, and is retried with back-off until the other route goes away.
/// </summary>
public sealed class RouteTableReconciler
{
    private readonly IRouteKernel _kernel;
    private readonly RouteTableOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    private readonly Dictionary<RouteSource, Dictionary<IPNetwork, DesiredRoute>> _desired = [];
    private readonly Dictionary<IPNetwork, Route> _inKernel = [];
    private readonly HashSet<IPNetwork> _dirty = [];
    private readonly Dictionary<IPNetwork, (int Failures, DateTimeOffset NotBefore)> _backoff = [];
    private IReadOnlyDictionary<string, int> _interfaces = new Dictionary<string, int>();
    private bool _fullResync = true;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private bool _keepUnwanted;

    public RouteTableReconciler(IRouteKernel kernel, RouteTableOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _kernel = kernel;
        _options = options ?? new RouteTableOptions();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public RouteTableOptions Options => _options;

    /// <summary>Replaces everything <paramref name="source"/> wants.</summary>
    public void SetRoutes(RouteSource source, IEnumerable<DesiredRoute> routes)
    {
        lock (_lock)
        {
            var table = Table(source);
            var fresh = new Dictionary<IPNetwork, DesiredRoute>();
            foreach (var route in routes)
            {
                Validate(route);
                fresh[route.Destination] = route;
            }

            foreach (var (destination, old) in table)
            {
                if (!fresh.TryGetValue(destination, out var now) || !now.Equals(old))
                {
                    _dirty.Add(destination);
                }
            }

            foreach (var destination in fresh.Keys)
            {
                if (!table.ContainsKey(destination))
                {
                    _dirty.Add(destination);
                }
            }

            _desired[source] = fresh;
        }

        Kick();
    }

    /// <summary>Adds or changes one route of <paramref name="source"/>.</summary>
    public void SetRoute(RouteSource source, DesiredRoute route)
    {
        Validate(route);
        lock (_lock)
        {
            var table = Table(source);
            if (table.TryGetValue(route.Destination, out var old) && old.Equals(route))
            {
                return;
            }

            table[route.Destination] = route;
            _dirty.Add(route.Destination);
        }

        Kick();
    }

    /// <summary>Withdraws one destination of <paramref name="source"/>.</summary>
    public void RemoveRoute(RouteSource source, IPNetwork destination)
    {
        lock (_lock)
        {
            if (Table(source).Remove(destination))
            {
                _dirty.Add(destination);
            }
        }

        Kick();
    }

    /// <summary>Asks for a full re-read of the kernel on the next pass.</summary>
    /// <summary>
    /// While true, routes we own that no source wants are left in the kernel instead of deleted.
    /// The agent sets it when it starts (after a graceful restart the kernel still holds the routes
    /// learned before, and BGP has not re-learned them yet) and clears it once BGP is back in sync;
    /// clearing it re-reads the kernel so the leftovers go then.
    /// </summary>
    public bool KeepUnwanted
    {
        get
        {
            lock (_lock)
            {
                return _keepUnwanted;
            }
        }

        set
        {
            bool changedToOff;
            lock (_lock)
            {
                changedToOff = _keepUnwanted && !value;
                _keepUnwanted = value;
            }

            if (changedToOff)
            {
                QueueResync();
            }
        }
    }

    public void QueueResync()
    {
        lock (_lock)
        {
            _fullResync = true;
        }

        Kick();
    }

    /// <summary>
    /// Feeds a kernel notification (from <see cref="NetlinkMonitor"/>): a change to one of our routes
    /// marks its destination dirty at once; a link change or lost events schedule a full resync
    /// (the kernel drops routes of a device that goes down without telling anyone).
    /// </summary>
    public void OnKernelEvent(NetlinkEvent e)
    {
        switch (e.Kind)
        {
            case NetlinkEventKind.RouteAdded or NetlinkEventKind.RouteRemoved
                when e.Route is { } route && route.Protocol == _options.Protocol && route.Table == _options.Table:
                lock (_lock)
                {
                    if (e.Kind == NetlinkEventKind.RouteRemoved)
                    {
                        if (_inKernel.TryGetValue(route.Destination, out var known) && known.Metric == route.Metric)
                        {
                            _inKernel.Remove(route.Destination);
                        }
                    }
                    else
                    {
                        _inKernel[route.Destination] = route;
                    }

                    _dirty.Add(route.Destination);
                }

                Kick();
                break;
            case NetlinkEventKind.LinkChanged or NetlinkEventKind.LinkRemoved or NetlinkEventKind.Overflow:
                QueueResync();
                break;
        }
    }

    /// <summary>The route the kernel should hold for <paramref name="destination"/>, with ifindexes resolved (null: none, or an interface is missing).</summary>
    public Route? Wanted(IPNetwork destination)
    {
        lock (_lock)
        {
            return Winner(destination) is { } desired ? Resolve(desired, out _) : null;
        }
    }

    /// <summary>
    /// Every destination some source wants, with the source that wins it and whether the kernel
    /// holds exactly that route now (for status: <c>tabbyctl node routes</c>).
    /// </summary>
    public IReadOnlyList<RouteTableEntry> Entries()
    {
        lock (_lock)
        {
            var destinations = _desired.Values.SelectMany(t => t.Keys).ToHashSet();
            var entries = new List<RouteTableEntry>(destinations.Count);
            foreach (var destination in destinations)
            {
                var (route, source) = WinnerWithSource(destination);
                var want = Resolve(route, out _);
                var programmed = want is not null && _inKernel.TryGetValue(destination, out var have) && want.Equals(have);
                entries.Add(new RouteTableEntry(route, source, programmed));
            }

            return entries;
        }
    }

    /// <summary>One reconcile pass: resync if asked, then apply the minimal changes for dirty destinations.</summary>
    public ReconcileResult Reconcile()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = ReconcileLocked();
        RouteTableMetrics.Record(result, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return result;
    }

    private ReconcileResult ReconcileLocked()
    {
        lock (_lock)
        {
            var resynced = false;
            if (_fullResync)
            {
                ReadKernel();
                resynced = true;
            }

            var now = _time.GetUtcNow();
            var changes = new List<RouteChange>();
            var keys = new List<IPNetwork>();
            var waiting = 0;
            foreach (var destination in _dirty)
            {
                if (_backoff.TryGetValue(destination, out var b) && b.NotBefore > now)
                {
                    continue;
                }

                var desired = Winner(destination);
                Route? want = null;
                if (desired is not null)
                {
                    want = Resolve(desired, out var missing);
                    if (want is null)
                    {
                        waiting++;
                        _logger.LogDebug("route {Route} waits for interface {Interface}", desired, missing);
                    }
                }

                _inKernel.TryGetValue(destination, out var have);
                RouteChange? change = (want, have) switch
                {
                    (null, null) => null,
                    (null, { } h) => _keepUnwanted ? null : new RouteChange(RouteChangeKind.Delete, h),
                    ({ } w, null) => new RouteChange(RouteChangeKind.Add, w),
                    ({ } w, { } h) when !w.Equals(h) => new RouteChange(RouteChangeKind.Replace, w),
                    _ => null,
                };
                if (change is { } c)
                {
                    changes.Add(c);
                    keys.Add(destination);
                }
            }

            var failed = new Dictionary<int, NetlinkException>();
            if (changes.Count > 0)
            {
                try
                {
                    foreach (var error in _kernel.Apply(changes))
                    {
                        failed[error.Index] = error.Error;
                    }
                }
                catch (Exception e) when (e is NetlinkException or NetlinkProtocolException)
                {
                    // The whole batch is in doubt: re-read the kernel next time.
                    _logger.LogWarning(e, "route batch failed; resyncing");
                    _fullResync = true;
                    for (var i = 0; i < changes.Count; i++)
                    {
                        failed[i] = e as NetlinkException ?? new NetlinkException((int)Errno.EPROTO, "route batch", e.Message);
                    }
                }
            }

            int added = 0, replaced = 0, deleted = 0;
            for (var i = 0; i < changes.Count; i++)
            {
                var (kind, route) = changes[i];
                var destination = keys[i];
                if (failed.TryGetValue(i, out var error) && !(kind == RouteChangeKind.Delete && error.Errno == Errno.ESRCH))
                {
                    ScheduleRetry(destination, route, kind, error, now);
                    continue;
                }

                _backoff.Remove(destination);
                switch (kind)
                {
                    case RouteChangeKind.Add: added++; _inKernel[destination] = route; break;
                    case RouteChangeKind.Replace: replaced++; _inKernel[destination] = route; break;
                    default: deleted++; _inKernel.Remove(destination); break;
                }
            }

            // Clean destinations leave the dirty set; failed and waiting ones stay for the next pass.
            _dirty.RemoveWhere(d => !_backoff.ContainsKey(d) && (Winner(d) is not { } w || Resolve(w, out _) is not null));
            DateTimeOffset? nextRetry = _backoff.Count == 0 ? null : _backoff.Values.Min(v => v.NotBefore);
            if (changes.Count > 0)
            {
                _logger.LogDebug("routes: {Added} added, {Replaced} replaced, {Deleted} deleted, {Failed} failed", added, replaced, deleted, failed.Count);
            }

            return new ReconcileResult(added, replaced, deleted, failed.Count, waiting, resynced, nextRetry);
        }
    }

    /// <summary>
    /// Runs until cancelled: reconciles whenever something changed, when a retry is due and every
    /// <see cref="RouteTableOptions.ResyncInterval"/> with a full re-read of the kernel.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var nextResync = _time.GetUtcNow() + _options.ResyncInterval;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            Task wake;
            lock (_lock)
            {
                // A completed signal has been seen by this pass; changes from now on need a new one.
                if (_wake.Task.IsCompleted)
                {
                    _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                wake = _wake.Task;
            }

            var now = _time.GetUtcNow();
            if (now >= nextResync)
            {
                QueueResync();
                nextResync = now + _options.ResyncInterval;
            }

            DateTimeOffset due = nextResync;
            try
            {
                var result = Reconcile();
                failures = 0;
                if (result.NextRetry is { } retry && retry < due)
                {
                    due = retry;
                }
            }
            catch (Exception e) when (e is NetlinkException or NetlinkProtocolException)
            {
                failures++;
                var delay = Backoff(failures);
                _logger.LogWarning(e, "reading routes failed; retrying in {Delay}", delay);
                QueueResync();
                due = now + delay;
                wake = Task.Delay(delay, _time, cancellationToken);
            }

            var wait = due - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                // The timer is cancelled when a change wakes us first, so waits never pile up.
                using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await Task.WhenAny(wake, Task.Delay(wait, _time, timer.Token)).ConfigureAwait(false);
                await timer.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Consumes monitor events until cancelled (run next to <see cref="RunAsync"/>).</summary>
    public async Task FollowAsync(NetlinkMonitor monitor, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in monitor.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                OnKernelEvent(e);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Kick()
    {
        TaskCompletionSource wake;
        lock (_lock)
        {
            wake = _wake;
        }

        wake.TrySetResult();
    }

    private Dictionary<IPNetwork, DesiredRoute> Table(RouteSource source)
    {
        if (!_desired.TryGetValue(source, out var table))
        {
            _desired[source] = table = [];
        }

        return table;
    }

    private (DesiredRoute Route, RouteSource Source) WinnerWithSource(IPNetwork destination)
    {
        foreach (var source in Enum.GetValues<RouteSource>())
        {
            if (_desired.TryGetValue(source, out var table) && table.TryGetValue(destination, out var route))
            {
                return (route, source);
            }
        }

        throw new KeyNotFoundException(destination.ToString());
    }

    private DesiredRoute? Winner(IPNetwork destination)
    {
        DesiredRoute? best = null;
        var bestSource = int.MaxValue;
        foreach (var (source, table) in _desired)
        {
            if ((int)source < bestSource && table.TryGetValue(destination, out var route))
            {
                best = route;
                bestSource = (int)source;
            }
        }

        return best;
    }

    private void ReadKernel()
    {
        var routes = _kernel.ListRoutes(_options.Table, _options.Protocol);
        _interfaces = _kernel.ListInterfaces();
        _inKernel.Clear();
        foreach (var route in routes)
        {
            if (route.Protocol == _options.Protocol && route.Table == _options.Table)
            {
                _inKernel[route.Destination] = route;
            }
        }

        _dirty.UnionWith(_inKernel.Keys);
        foreach (var table in _desired.Values)
        {
            _dirty.UnionWith(table.Keys);
        }

        // Failures may have been caused by what the resync just fixed (a missing interface).
        _backoff.Clear();
        _fullResync = false;
    }

    private Route? Resolve(DesiredRoute desired, out string? missingInterface)
    {
        missingInterface = null;
        var v6 = desired.Destination.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        var route = new Route(desired.Destination)
        {
            Type = desired.Type,
            Protocol = _options.Protocol,
            Table = _options.Table,
            Metric = desired.Metric ?? (v6 ? RouteCodec.Ipv6DefaultMetric : null),
        };
        if (desired.NextHops.Count == 0)
        {
            return route;
        }

        var hops = new List<NextHop>(desired.NextHops.Count);
        foreach (var hop in desired.NextHops)
        {
            var index = 0;
            if (hop.Interface is { } name && !_interfaces.TryGetValue(name, out index))
            {
                missingInterface = name;
                return null;
            }

            hops.Add(new NextHop(hop.Gateway, index, hop.OnLink));
        }

        if (hops.Count == 1)
        {
            var only = hops[0];
            return route with { Gateway = only.Gateway, InterfaceIndex = only.InterfaceIndex == 0 ? null : only.InterfaceIndex, OnLink = only.OnLink };
        }

        return route with { NextHops = hops };
    }

    private void ScheduleRetry(IPNetwork destination, Route route, RouteChangeKind kind, NetlinkException error, DateTimeOffset now)
    {
        var failures = _backoff.TryGetValue(destination, out var b) ? b.Failures + 1 : 1;
        var delay = Backoff(failures);
        _backoff[destination] = (failures, now + delay);
        _dirty.Add(destination);
        if (kind == RouteChangeKind.Add && error.Errno == Errno.EEXIST)
        {
            _logger.LogWarning("route {Route} conflicts with a route of another owner; not touching it, retry in {Delay}", route, delay);
        }
        else
        {
            _logger.LogWarning("{Kind} route {Route} failed: {Error}; retry in {Delay}", kind, route, error.Message, delay);
        }

        if (error.Errno is Errno.ENODEV or Errno.ENETUNREACH)
        {
            // The interface table we resolved against is stale.
            _fullResync = true;
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var ticks = _options.InitialRetryDelay.Ticks * Math.Pow(2, Math.Min(failures - 1, 30));
        return TimeSpan.FromTicks((long)Math.Min(ticks, _options.MaxRetryDelay.Ticks));
    }

    private static void Validate(DesiredRoute route)
    {
        if (route.Type == RouteType.Unicast && route.NextHops.Count == 0)
        {
            throw new ArgumentException($"unicast route {route.Destination} needs at least one next hop", nameof(route));
        }

        if (route.Type != RouteType.Unicast && route.NextHops.Count > 0)
        {
            throw new ArgumentException($"{route.Type} route {route.Destination} cannot have next hops", nameof(route));
        }

        var family = route.Destination.BaseAddress.AddressFamily;
        foreach (var hop in route.NextHops)
        {
            if (hop.Gateway is { } g && g.AddressFamily != family)
            {
                throw new ArgumentException($"route {route.Destination}: gateway {g} is of another address family", nameof(route));
            }

            if (hop.Gateway is null && hop.Interface is null)
            {
                throw new ArgumentException($"route {route.Destination}: a next hop needs a gateway or an interface", nameof(route));
            }
        }
    }
}
