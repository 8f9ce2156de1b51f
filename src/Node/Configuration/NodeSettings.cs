using System.Net;
using Microsoft.Extensions.Logging;
using Tabby.Datastore;

namespace Tabby.Node.Configuration;

/// <summary>A host address with the prefix length of its subnet (<c>192.0.2.10/24</c>).</summary>
public sealed record NodeAddress(IPAddress Address, int PrefixLength)
{
    /// <summary>The subnet the address is in (CrossSubnet decisions compare against it).</summary>
    public IPNetwork Subnet
    {
        get
        {
            var bytes = Address.GetAddressBytes();
            for (var bit = PrefixLength; bit < bytes.Length * 8; bit++)
            {
                bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            }

            return new IPNetwork(new IPAddress(bytes), PrefixLength);
        }
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
}

/// <summary>How the agent obtains one address family's node address.</summary>
public sealed record NodeAddressSetting
{
    /// <summary>An address given outright (with its prefix length), or null.</summary>
    public NodeAddress? Fixed { get; init; }

    /// <summary>The family is off (calico-node: <c>IP=none</c>).</summary>
    public bool Disabled { get; init; }

    public AutodetectionMethod Method { get; init; } = new AutodetectionMethod.FirstFound();

    public static NodeAddressSetting Off => new() { Disabled = true };
}

public enum EncapsulationMode
{
    Never,
    Always,
    CrossSubnet,
}

/// <summary>The pool created on first start when none exists (calico-node's CALICO_IPV4POOL_*).</summary>
public sealed record DefaultPoolSettings
{
    public required IPNetwork Cidr { get; init; }

    public int BlockSize { get; init; }

    public EncapsulationMode Ipip { get; init; } = EncapsulationMode.Never;

    public EncapsulationMode Vxlan { get; init; } = EncapsulationMode.Never;

    public bool NatOutgoing { get; init; }

    public string NodeSelector { get; init; } = "all()";
}

/// <summary>Which routing the agent runs (calico-node's CALICO_NETWORKING_BACKEND).</summary>
public enum NetworkingBackend
{
    /// <summary>BGP between nodes and to peers (Tabby's own speaker).</summary>
    Bgp,

    /// <summary>VXLAN only: routes from the datastore, no BGP sessions.</summary>
    Vxlan,

    /// <summary>Policy only; another component routes.</summary>
    None,
}

/// <summary>Everything tabby-node is configured with, validated.</summary>
public sealed record NodeSettings
{
    public required string NodeName { get; init; }

    public NodeAddressSetting IPv4 { get; init; } = new();

    public NodeAddressSetting IPv6 { get; init; } = NodeAddressSetting.Off;

    /// <summary>The node's AS number (null: BGPConfiguration's asNumber, default 64512).</summary>
    public uint? AsNumber { get; init; }

    /// <summary>BGP router id (null: the node's IPv4 address).</summary>
    public IPAddress? RouterId { get; init; }

    public DatastoreSettings Datastore { get; init; } = new();

    public DefaultPoolSettings? DefaultIPv4Pool { get; init; }

    public DefaultPoolSettings? DefaultIPv6Pool { get; init; }

    public NetworkingBackend Backend { get; init; } = NetworkingBackend.Bgp;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Where liveness and readiness are served (Felix: 9099 on localhost).</summary>
    public string HealthHost { get; init; } = "localhost";

    public int HealthPort { get; init; } = 9099;

    /// <summary>Prometheus endpoint port; 0 turns it off.</summary>
    public int MetricsPort { get; init; } = 9091;

    public string MetricsHost { get; init; } = "0.0.0.0";

    /// <summary>Unix socket serving status to <c>tabbyctl node status</c>.</summary>
    public string StatusSocket { get; init; } = "/var/run/tabby/status.sock";

    /// <summary>File the pod MTU is written to for the CNI plugin.</summary>
    public string MtuFile { get; init; } = "/var/lib/tabby/mtu";

    /// <summary>BGP listen port (BGPConfiguration's listenPort overrides it when set).</summary>
    public int BgpPort { get; init; } = 179;

    /// <summary>The agent's own namespace (TABBY_NAMESPACE, else POD_NAMESPACE): where it reads BGP password Secrets.</summary>
    public string Namespace { get; init; } = "tabby-system";

    /// <summary>Enforce network policy with nftables (TABBY_POLICY_ENABLED, on by default).</summary>
    public bool PolicyEnabled { get; init; } = true;
}
