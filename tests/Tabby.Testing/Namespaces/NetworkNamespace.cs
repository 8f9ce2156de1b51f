using System.Diagnostics;
using System.Globalization;
using Tabby.Testing.Processes;

namespace Tabby.Testing.Namespaces;

/// <summary>
/// A network namespace owned by one test: created with loopback up and IPv6 duplicate address
/// detection off (so addresses are usable at once), deleted with every process still inside it on
/// <see cref="Dispose"/>. Leftovers of crashed runs are removed by <see cref="NamespaceJanitor"/>
/// before the first namespace of a process is created.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private static int _counter;
    private readonly List<Process> _started = [];
    private readonly Lock _startedGate = new();
    private int _disposed;

    private NetworkNamespace(string name)
    {
        Name = name;
        ScratchDirectory = Path.Combine(Path.GetTempPath(), "tabby-tests", name);
        Directory.CreateDirectory(ScratchDirectory);
    }

    /// <summary>The namespace's name under /run/netns.</summary>
    public string Name { get; }

    /// <summary>A private directory for configs, sockets and logs of what runs in the namespace.</summary>
    public string ScratchDirectory { get; }

    /// <summary>Path of the namespace file, for setns() or <c>nsenter --net=</c>.</summary>
    public string NamespacePath => $"/run/netns/{Name}";

    /// <summary>Creates a fresh namespace. <paramref name="label"/> only makes the name readable.</summary>
    public static NetworkNamespace Create(string label = "ns")
    {
        Privileges.EnsureRoot();
        NamespaceJanitor.SweepOnce();
        var n = Interlocked.Increment(ref _counter);
        var safeLabel = new string(label.Where(char.IsLetterOrDigit).Take(12).ToArray());
        var name = string.Create(CultureInfo.InvariantCulture, $"{NamespaceJanitor.Prefix}{Environment.ProcessId}-{n}-{safeLabel}");
        Command.Run("ip", "netns", "add", name).EnsureSuccess();
        var ns = new NetworkNamespace(name);
        try
        {
            ns.Ip("link", "set", "lo", "up");
            ns.Sysctl("net.ipv6.conf.all.accept_dad", "0");
            ns.Sysctl("net.ipv6.conf.default.accept_dad", "0");
            return ns;
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    /// <summary><c>ip -n NAME ARGS</c>; throws with the output when it fails.</summary>
    public CommandResult Ip(params string[] arguments) =>
        Command.Run("ip", ["-n", Name, .. arguments]).EnsureSuccess();

    /// <summary>Runs a command inside the namespace and returns its result without judging it.</summary>
    public CommandResult Run(string fileName, params string[] arguments) =>
        RunAsync(fileName, arguments).GetAwaiter().GetResult();

    /// <summary>Runs a command inside the namespace; throws with the output when it fails.</summary>
    public CommandResult Exec(string fileName, params string[] arguments) => Run(fileName, arguments).EnsureSuccess();

    public Task<CommandResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default) =>
        Command.RunAsync("ip", ["netns", "exec", Name, fileName, .. arguments], timeout, cancellationToken: cancellationToken);

    /// <summary>Sets a sysctl inside the namespace (net.* keys are per namespace).</summary>
    public void Sysctl(string key, string value) => Exec("sysctl", "-q", "-w", $"{key}={value}");

    /// <summary>Adds an address (CIDR form) to an interface and brings the interface up.</summary>
    public void AddAddress(string device, string cidr)
    {
        Ip(cidr.Contains(':', StringComparison.Ordinal) ? ["-6", "addr", "add", cidr, "dev", device, "nodad"] : ["addr", "add", cidr, "dev", device]);
        Ip("link", "set", device, "up");
    }

    /// <summary>Adds a route, e.g. <c>AddRoute("203.0.113.0/24", "via", "192.0.2.1")</c>.</summary>
    public void AddRoute(string destination, params string[] rest) => Ip(["route", "add", destination, .. rest]);

    /// <summary>Creates a bridge device in this namespace and brings it up.</summary>
    public void AddBridge(string name)
    {
        Ip("link", "add", name, "type", "bridge");
        Ip("link", "set", name, "up");
    }

    /// <summary>One ping to <paramref name="address"/> from inside this namespace; true if answered.</summary>
    public bool Ping(string address, int waitSeconds = 1) =>
        Run("ping", "-n", "-q", "-c", "1", "-W", waitSeconds.ToString(CultureInfo.InvariantCulture), address).Succeeded;

    /// <summary>
    /// Pings until <paramref name="address"/> answers (a fresh link needs a moment for neighbour
    /// discovery and IPv6 link-local setup), throwing after <paramref name="timeout"/>.
    /// </summary>
    public Task WaitReachableAsync(string address, TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => Ping(address), timeout ?? TimeSpan.FromSeconds(10), $"{address} to answer ping from {Name}",
            () => Run("ip", "route", "get", address).ToString());

    /// <summary>Turns on IPv4 and IPv6 forwarding, for namespaces that play routers.</summary>
    public void EnableForwarding()
    {
        Sysctl("net.ipv4.ip_forward", "1");
        Sysctl("net.ipv6.conf.all.forwarding", "1");
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a dedicated OS thread that has entered this namespace, so
    /// sockets and netlink handles it creates belong here. The thread leaves the namespace before it
    /// ends; continuations of async code started inside do not stay in the namespace, but sockets
    /// created inside keep belonging to it.
    /// </summary>
    public T Invoke<T>(Func<T> action)
    {
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            var home = NativeMethods.OpenNamespace("/proc/thread-self/ns/net");
            try
            {
                var target = NativeMethods.OpenNamespace(NamespacePath);
                try
                {
                    NativeMethods.EnterNetworkNamespace(target);
                }
                finally
                {
                    NativeMethods.CloseDescriptor(target);
                }

                try
                {
                    result = action();
                }
                finally
                {
                    NativeMethods.EnterNetworkNamespace(home);
                }
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                NativeMethods.CloseDescriptor(home);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {Name}",
        };
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        }

        return result;
    }

    /// <summary><see cref="Invoke{T}(Func{T})"/> for actions without a result.</summary>
    public void Invoke(Action action) => Invoke(() => { action(); return true; });

    /// <summary>
    /// Starts a long-running process inside the namespace with its output appended to
    /// <paramref name="logFile"/>. The caller owns the process; it is killed at the latest when the
    /// namespace is disposed.
    /// </summary>
    public Process StartProcess(string fileName, IEnumerable<string> arguments, string logFile,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = Command.CreateStartInfo("ip", ["netns", "exec", Name, fileName, .. arguments], environment);
        var process = new Process { StartInfo = startInfo };
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var logLock = new Lock();
        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (logLock)
            {
                log.WriteLine(line);
            }
        }

        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Exited += (_, _) => { lock (logLock) { log.Flush(); } };
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {Command.Describe(startInfo)}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_startedGate)
        {
            _started.Add(process);
        }

        return process;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Processes we started are killed by handle first: one that has not entered the
            // namespace yet (ip netns exec still starting) is not listed by `ip netns pids`.
            lock (_startedGate)
            {
                foreach (var process in _started)
                {
                    try
                    {
                        if (!process.HasExited)
                        {
                            process.Kill(entireProcessTree: true);
                        }
                    }
                    catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
                    {
                        // Already gone.
                    }
                }
            }

            NamespaceJanitor.Remove(Name);
        }
    }

    public override string ToString() => Name;
}
