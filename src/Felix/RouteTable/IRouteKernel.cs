using Tabby.Felix.Netlink;
using Tabby.Felix.Netlink.Routes;

namespace Tabby.Felix.RouteTable;

public enum RouteChangeKind
{
    /// <summary>Create exclusively: fails with EEXIST when another owner holds the key.</summary>
    Add,
    /// <summary>Replace a route we own with a changed one.</summary>
    Replace,
    /// <summary>Delete a route we own (matched on protocol).</summary>
    Delete,
}

public readonly record struct RouteChange(RouteChangeKind Kind, Route Route);

/// <summary>A change the kernel refused: its index in the submitted list and the error.</summary>
public readonly record struct RouteChangeError(int Index, NetlinkException Error);

/// <summary>
/// The slice of the kernel the reconciler needs, behind an interface so tests can inject failures
/// (fail the next add, lose a route, change an ifindex) without a namespace.
/// </summary>
public interface IRouteKernel
{
    /// <summary>Routes of <paramref name="protocol"/> in <paramref name="table"/>, both families.</summary>
    IReadOnlyList<Route> ListRoutes(uint table, byte protocol);

    /// <summary>Interface name to ifindex.</summary>
    IReadOnlyDictionary<string, int> ListInterfaces();

    /// <summary>Applies the changes (batched); returns the ones that failed.</summary>
    IReadOnlyList<RouteChangeError> Apply(IReadOnlyList<RouteChange> changes);
}
