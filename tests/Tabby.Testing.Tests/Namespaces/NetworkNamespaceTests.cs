using System.Net;
using System.Net.NetworkInformation;
using Tabby.Testing.Namespaces;
using Tabby.Testing.Xunit;
using Xunit;

namespace Tabby.Testing.Tests.Namespaces;

public sealed class NetworkNamespaceTests
{
    [RootFact]
    public async Task VethPairCarriesPingBetweenNamespaces()
    {
        using var a = NetworkNamespace.Create("a");
        using var b = NetworkNamespace.Create("b");
        Veth.Connect(a, "eth0", b, "eth0", "192.0.2.1/24", "192.0.2.2/24");
        Veth.Connect(a, "eth1", b, "eth1", "2001:db8::1/64", "2001:db8::2/64");

        await a.WaitReachableAsync("192.0.2.2");
        await a.WaitReachableAsync("2001:db8::2");
        Assert.False(a.Ping("192.0.2.3"), "an address nobody holds must not answer");
    }

    [RootFact]
    public void InvokeRunsCodeInsideTheNamespace()
    {
        using var ns = NetworkNamespace.Create("inv");
        ns.Ip("link", "add", "dummy7", "type", "bridge"); // dummy devices are not built into this kernel

        var inside = ns.Invoke(() => NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name).ToArray());
        var outside = NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name).ToArray();

        Assert.Contains("dummy7", inside);
        Assert.DoesNotContain("dummy7", outside);
    }

    [RootFact]
    public void SocketsCreatedInsideStayInTheNamespace()
    {
        using var ns = NetworkNamespace.Create("sock");
        ns.Ip("link", "add", "d0", "type", "bridge");
        ns.AddAddress("d0", "198.51.100.1/24");

        // Binding to the address only works where the address exists: inside the namespace.
        using var socket = ns.Invoke(() =>
        {
            var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Parse("198.51.100.1"), 0));
            s.Listen();
            return s;
        });
        Assert.Equal(IPAddress.Parse("198.51.100.1"), ((IPEndPoint)socket.LocalEndPoint!).Address);
        var listening = ns.Exec("ss", "-ltn").StandardOutput;
        Assert.Contains("198.51.100.1:", listening);
    }

    [RootFact]
    public void DisposeDeletesTheNamespaceAndKillsItsProcesses()
    {
        var ns = NetworkNamespace.Create("gone");
        var sleeper = ns.StartProcess("sleep", ["300"], Path.Combine(ns.ScratchDirectory, "sleep.log"));

        ns.Dispose();

        Assert.True(sleeper.WaitForExit(5000), "the process inside should have been killed");
        Assert.False(File.Exists($"/run/netns/{ns.Name}"));
    }

    [RootFact]
    public void LeftoversOfADeadRunAreSwept()
    {
        // A namespace named after a process that no longer exists, as a killed run leaves it.
        var deadPid = FindUnusedPid();
        using var live = NetworkNamespace.Create("live"); // first, so this process's own one-time sweep is done
        var stale = $"{NamespaceJanitor.Prefix}{deadPid}-1-stale";
        Processes.Command.Run("ip", "netns", "add", stale).EnsureSuccess();
        Processes.Command.Run("ip", "netns", "exec", stale, "sh", "-c", "sleep 300 >/dev/null 2>&1 &").EnsureSuccess();
        var sleeperPid = int.Parse(Processes.Command.Run("ip", "netns", "pids", stale).StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);

        var removed = NamespaceJanitor.Sweep();

        Assert.Contains(stale, removed);
        Assert.DoesNotContain(live.Name, removed); // its owner (this process) is alive
        Assert.False(File.Exists($"/run/netns/{stale}"));
        Assert.True(File.Exists($"/run/netns/{live.Name}"));
        Assert.True(Wait.UntilAsync(() => !File.Exists($"/proc/{sleeperPid}/cmdline") || File.ReadAllText($"/proc/{sleeperPid}/stat").Contains(") Z ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5), "the stale namespace's process to die").Wait(TimeSpan.FromSeconds(10)));
    }

    private static int FindUnusedPid()
    {
        for (var pid = 4_000_000; ; pid++)
        {
            if (!Directory.Exists($"/proc/{pid}"))
            {
                return pid;
            }
        }
    }
}
