using System.Net;
using System.Net.Sockets;
using Tabby.Testing.Namespaces;

namespace Tabby.Felix.Tests.Policy.Dataplane;

/// <summary>
/// A node with pods, built from network namespaces: the "node" namespace routes between one veth
/// per pod (host side <c>tpN</c>, like Calico's <c>caliX</c>: pod address /32, default route to
/// 169.254.1.1 which every host-side veth answers) and two external hosts on <c>ext0</c>. Every pod
/// and external host listens on TCP 8080, 9090, 53 and echoes UDP 53, with sockets created inside
/// its namespace. The policy ruleset is applied in the node namespace on the forward path.
/// </summary>
public sealed class PolicyLab : IDisposable
{
    public static readonly int[] TcpPorts = [8080, 9090, 53];
    public const int UdpPort = 53;

    private readonly List<NetworkNamespace> _namespaces = [];
    private readonly List<Socket> _listeners = [];
    private readonly CancellationTokenSource _stop = new();

    public PolicyLab()
    {
        try
        {
            Node = Track(NetworkNamespace.Create("polnode"));
            Node.EnableForwarding();
            foreach (var (key, address, address6, ifname) in PodSpecs)
            {
                var ns = Track(NetworkNamespace.Create("pod" + ifname));
                Veth.Connect(Node, ifname, ns, "eth0");
                ns.AddAddress("eth0", address + "/32");
                ns.Ip("route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
                ns.Ip("route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
                Node.Ip("addr", "add", "169.254.1.1/32", "dev", ifname);
                Node.Ip("route", "add", address + "/32", "dev", ifname);

                // IPv6 like Calico: /128 on the pod, default route to a link-local gateway every host-side veth answers.
                ns.AddAddress("eth0", address6 + "/128");
                ns.Ip("-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0");
                Node.Ip("-6", "addr", "add", "fe80::1/64", "dev", ifname, "nodad");
                Node.Ip("-6", "route", "add", address6 + "/128", "dev", ifname);
                Hosts[key] = (ns, IPAddress.Parse(address));
                Addresses6[key] = IPAddress.Parse(address6);
            }

            Node.AddBridge("ext0");
            Node.AddAddress("ext0", "203.0.113.1/24");
            foreach (var (key, address) in ExternalSpecs)
            {
                var ns = Track(NetworkNamespace.Create(key));
                Veth.ConnectToBridge(Node, "ext0", "p" + key, ns, "eth0", address + "/24");
                ns.Ip("route", "add", "default", "via", "203.0.113.1");
                Hosts[key] = (ns, IPAddress.Parse(address));
            }

            foreach (var (key, (ns, _)) in Hosts)
            {
                StartListeners(ns, Addresses6.ContainsKey(key));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Pods: key (namespace/name as in <see cref="PolicyWorld.Standard"/>), address, host-side interface.</summary>
    public static readonly (string Key, string Address, string Address6, string Interface)[] PodSpecs =
    [
        ("prod/frontend", "198.18.0.1", "2001:db8:1::1", "tp1"),
        ("prod/backend", "198.18.0.2", "2001:db8:1::2", "tp2"),
        ("prod/db", "198.18.0.3", "2001:db8:1::3", "tp3"),
        ("dev/frontend", "198.18.0.4", "2001:db8:1::4", "tp4"),
        ("kube-system/coredns", "198.18.0.10", "2001:db8:1::a", "tp10"),
    ];

    /// <summary>TCP port pods also listen on over IPv6.</summary>
    public const int TcpPort6 = 8080;

    /// <summary>Hosts outside the cluster (not endpoints): one inside an ipBlock's except range, one outside it.</summary>
    public static readonly (string Key, string Address)[] ExternalSpecs = [("ext5", "203.0.113.5"), ("ext100", "203.0.113.100")];

    public NetworkNamespace Node { get; }

    public Dictionary<string, (NetworkNamespace Namespace, IPAddress Address)> Hosts { get; } = new(StringComparer.Ordinal);

    /// <summary>IPv6 addresses of the pods (external hosts are IPv4 only).</summary>
    public Dictionary<string, IPAddress> Addresses6 { get; } = new(StringComparer.Ordinal);

    /// <summary>The address of <paramref name="host"/> in the family asked for.</summary>
    public IPAddress AddressOf(string host, bool v6) => v6 ? Addresses6[host] : Hosts[host].Address;

    /// <summary>Opens a TCP connection from <paramref name="from"/> to <paramref name="to"/>; true if it was accepted in time.</summary>
    public async Task<bool> TcpConnectAsync(string from, string to, int port, TimeSpan timeout, bool v6 = false)
    {
        var (ns, _) = Hosts[from];
        using var socket = ns.Invoke(() => new Socket(v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(AddressOf(to, v6), port), cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Sends one UDP datagram and waits for the echo; true if it came back in time.</summary>
    public async Task<bool> UdpEchoAsync(string from, string to, int port, TimeSpan timeout)
    {
        var (ns, _) = Hosts[from];
        using var socket = ns.Invoke(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Any, 0));
            return s;
        });
        var payload = "tabby-probe"u8.ToArray();
        var target = new IPEndPoint(Hosts[to].Address, port);
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[64];
        try
        {
            await socket.SendToAsync(payload, SocketFlags.None, target, cts.Token);
            var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            return received.ReceivedBytes == payload.Length;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Forgets tracked connections in the node, so the next probes are new flows.</summary>
    public void FlushConntrack() => Node.Run("conntrack", "-F");

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var s in _listeners)
        {
            s.Dispose();
        }

        foreach (var ns in _namespaces)
        {
            ns.Dispose();
        }
    }

    private NetworkNamespace Track(NetworkNamespace ns)
    {
        _namespaces.Add(ns);
        return ns;
    }

    private void StartListeners(NetworkNamespace ns, bool v6)
    {
        foreach (var (port, family) in TcpPorts.Select(p => (p, AddressFamily.InterNetwork)).Concat(v6 ? [(TcpPort6, AddressFamily.InterNetworkV6)] : []))
        {
            var listener = ns.Invoke(() =>
            {
                var s = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
                s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (family == AddressFamily.InterNetworkV6)
                {
                    s.DualMode = false;
                }

                s.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, port));
                s.Listen(512);
                return s;
            });
            _listeners.Add(listener);
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        using var accepted = await listener.AcceptAsync(_stop.Token);
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                        return;
                    }
                }
            });
        }

        var udp = ns.Invoke(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Any, UdpPort));
            return s;
        });
        _listeners.Add(udp);
        _ = Task.Run(async () =>
        {
            var buffer = new byte[2048];
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var r = await udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                    await udp.SendToAsync(buffer.AsMemory(0, r.ReceivedBytes), SocketFlags.None, r.RemoteEndPoint, _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
            }
        });
    }
}
