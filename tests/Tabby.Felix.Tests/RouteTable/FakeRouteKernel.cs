using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Routes;
using Tabby.Felix.RouteTable;

namespace Tabby.Felix.Tests.RouteTable;

/// <summary>An in-memory kernel table with the kernel's key rules and injectable failures.</summary>
internal sealed class FakeRouteKernel : IRouteKernel
{
    public Dictionary<(System.Net.IPNetwork, uint), Route> Routes { get; } = [];

    public Dictionary<string, int> Interfaces { get; } = new(StringComparer.Ordinal) { ["lo"] = 1, ["eth0"] = 2 };

    /// <summary>Errno to fail the next change of that destination with (consumed on use).</summary>
    public Dictionary<System.Net.IPNetwork, Errno> FailNext { get; } = [];

    public int ApplyCalls { get; private set; }

    public int ListCalls { get; private set; }

    public List<RouteChange> Applied { get; } = [];

    /// <summary>How many of the next ListRoutes calls fail (an unreadable kernel).</summary>
    public int FailLists { get; set; }

    public IReadOnlyList<Route> ListRoutes(uint table, byte protocol)
    {
        ListCalls++;
        if (FailLists > 0)
        {
            FailLists--;
            throw new NetlinkException((int)Errno.ENOBUFS, "RTM_GETROUTE dump");
        }

        return [.. Routes.Values.Where(r => r.Table == table && r.Protocol == protocol)];
    }

    public IReadOnlyDictionary<string, int> ListInterfaces() => new Dictionary<string, int>(Interfaces);

    public IReadOnlyList<RouteChangeError> Apply(IReadOnlyList<RouteChange> changes)
    {
        lock (Routes)
        {
            return ApplyLocked(changes);
        }
    }

    private List<RouteChangeError> ApplyLocked(IReadOnlyList<RouteChange> changes)
    {
        ApplyCalls++;
        var errors = new List<RouteChangeError>();
        for (var i = 0; i < changes.Count; i++)
        {
            var (kind, route) = changes[i];
            var key = (route.Destination, route.Table);
            if (FailNext.Remove(route.Destination, out var errno))
            {
                errors.Add(new RouteChangeError(i, new NetlinkException((int)errno, $"{kind} {route}")));
                continue;
            }

            if (route.InterfaceIndex is { } index && !Interfaces.ContainsValue(index))
            {
                errors.Add(new RouteChangeError(i, new NetlinkException((int)Errno.ENODEV, $"{kind} {route}")));
                continue;
            }

            var exists = Routes.TryGetValue(key, out var existing);
            switch (kind)
            {
                case RouteChangeKind.Add when exists:
                    errors.Add(new RouteChangeError(i, new NetlinkException((int)Errno.EEXIST, $"add {route}")));
                    continue;
                case RouteChangeKind.Delete when !exists || existing!.Protocol != route.Protocol:
                    errors.Add(new RouteChangeError(i, new NetlinkException((int)Errno.ESRCH, $"delete {route}")));
                    continue;
                case RouteChangeKind.Delete:
                    Routes.Remove(key);
                    break;
                default:
                    Routes[key] = route;
                    break;
            }

            Applied.Add(changes[i]);
        }

        return errors;
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now = new(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
