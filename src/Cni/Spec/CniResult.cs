using System.Net;
using System.Text.Json;

namespace Tabby.Cni.Spec;

/// <summary>
/// The result of ADD (SPEC.md "Success"): interfaces, IP configurations (each pointing at an
/// interface by index), routes and DNS. Version-specific shapes are handled by
/// <see cref="CniResultJson"/>.
/// </summary>
public sealed record CniResult
{
    public List<ResultInterface> Interfaces { get; init; } = [];

    public List<ResultIp> Ips { get; init; } = [];

    public List<ResultRoute> Routes { get; init; } = [];

    /// <summary>The DNS object as received from a previous plugin (kept verbatim), or null.</summary>
    public JsonElement? Dns { get; init; }
}

/// <param name="Name">Interface name (caliX on the host, CNI_IFNAME in the container).</param>
/// <param name="Mac">Hardware address, lower case with colons.</param>
/// <param name="Sandbox">The network namespace path for container interfaces; null for host interfaces.</param>
public sealed record ResultInterface(string Name, string? Mac, string? Sandbox)
{
    public int? Mtu { get; init; }
}

/// <param name="Address">The address with its prefix length.</param>
/// <param name="Gateway">The gateway for this address, or null.</param>
/// <param name="Interface">Index into <see cref="CniResult.Interfaces"/>, or null.</param>
public sealed record ResultIp(CidrAddress Address, IPAddress? Gateway, int? Interface);

public sealed record ResultRoute(IPNetwork Destination, IPAddress? Gateway);
