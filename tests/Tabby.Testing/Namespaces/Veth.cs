namespace Tabby.Testing.Namespaces;

/// <summary>Point-to-point links between namespaces.</summary>
public static class Veth
{
    /// <summary>
    /// Connects <paramref name="a"/> and <paramref name="b"/> with a veth pair, names each end in its
    /// own namespace, optionally addresses both ends (CIDR form) and brings them up.
    /// </summary>
    public static void Connect(NetworkNamespace a, string aDevice, NetworkNamespace b, string bDevice,
        string? aAddress = null, string? bAddress = null)
    {
        a.Ip("link", "add", aDevice, "type", "veth", "peer", "name", bDevice, "netns", b.Name);
        Bring(a, aDevice, aAddress);
        Bring(b, bDevice, bAddress);
    }

    /// <summary>
    /// Connects <paramref name="host"/> to a bridge that lives in <paramref name="bridgeNamespace"/>:
    /// the host end is <paramref name="device"/>, the bridge end is enslaved to <paramref name="bridge"/>.
    /// </summary>
    public static void ConnectToBridge(NetworkNamespace bridgeNamespace, string bridge, string bridgePort,
        NetworkNamespace host, string device, params string[] addresses)
    {
        bridgeNamespace.Ip("link", "add", bridgePort, "type", "veth", "peer", "name", device, "netns", host.Name);
        bridgeNamespace.Ip("link", "set", bridgePort, "master", bridge);
        bridgeNamespace.Ip("link", "set", bridgePort, "up");
        host.Ip("link", "set", device, "up");
        foreach (var address in addresses)
        {
            host.AddAddress(device, address);
        }
    }

    private static void Bring(NetworkNamespace ns, string device, string? address)
    {
        if (address is not null)
        {
            ns.AddAddress(device, address);
        }
        else
        {
            ns.Ip("link", "set", device, "up");
        }
    }
}
