namespace Tabby.Felix.Policy.Model;

/// <summary>One rule of a policy: every set field must match for <see cref="Action"/> to be taken.</summary>
public sealed record Rule
{
    public const int MaxRulesPerDirection = 1024;

    public PolicyAction Action { get; init; } = PolicyAction.Allow;

    public Protocol? Protocol { get; init; }

    public Protocol? NotProtocol { get; init; }

    /// <summary>4 or 6 to restrict the rule to one family.</summary>
    public int? IpVersion { get; init; }

    public IcmpMatch? Icmp { get; init; }

    public IcmpMatch? NotIcmp { get; init; }

    public EntityMatch Source { get; init; } = EntityMatch.Any;

    public EntityMatch Destination { get; init; } = EntityMatch.Any;

    /// <summary>Where the rule came from in the original resource, for traces (e.g. <c>ingress[0].from[1]</c>).</summary>
    public string Origin { get; init; } = "";

    /// <summary>Checks what the API cannot express; <paramref name="field"/> prefixes error paths.</summary>
    public void Validate(string field)
    {
        if (IpVersion is not (null or 4 or 6))
        {
            throw new PolicyValidationException($"{field}.ipVersion", $"must be 4 or 6, not {IpVersion}");
        }

        foreach (var (entity, name) in new[] { (Source, "source"), (Destination, "destination") })
        {
            if ((entity.Ports.Count > 0 || entity.NotPorts.Count > 0) && Protocol is not { HasPorts: true })
            {
                throw new PolicyValidationException($"{field}.{name}.ports",
                    "ports need protocol TCP, UDP, SCTP or UDPLite on the rule");
            }

            foreach (var net in entity.Nets.Concat(entity.NotNets))
            {
                var version = net.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 6 : 4;
                if (IpVersion is { } v && v != version)
                {
                    throw new PolicyValidationException($"{field}.{name}.nets", $"{net} is IPv{version} but the rule has ipVersion {v}");
                }
            }
        }

        if ((Icmp is not null || NotIcmp is not null) && Protocol is not { IsIcmp: true })
        {
            throw new PolicyValidationException($"{field}.icmp", "ICMP type/code needs protocol ICMP or ICMPv6 on the rule");
        }

        if ((Protocol == Model.Protocol.Icmp && IpVersion == 6) || (Protocol == Model.Protocol.IcmpV6 && IpVersion == 4))
        {
            throw new PolicyValidationException($"{field}.protocol", "ICMP protocol does not match ipVersion");
        }
    }
}
