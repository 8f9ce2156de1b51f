using Tabby.Testing.Processes;

namespace Tabby.Testing.Namespaces;

/// <summary>
/// Removes what a crashed or killed test run left behind. Every namespace the harness creates is
/// named <c>tbt-PID-N</c> after the process that made it, so a leftover is recognised by its owner
/// no longer running; its processes are killed (daemons started in it) and it is deleted. Namespaces
/// of test processes still running (another test project in parallel) are left alone.
/// </summary>
internal static class NamespaceJanitor
{
    public const string Prefix = "tbt-";
    private const string NetnsDirectory = "/run/netns";
    private static readonly Lock Gate = new();
    private static bool _swept;

    /// <summary>Runs once per process, before the first namespace is created.</summary>
    public static void SweepOnce()
    {
        lock (Gate)
        {
            if (_swept)
            {
                return;
            }

            _swept = true;
            Sweep();
        }
    }

    /// <summary>Removes every namespace and root-namespace daemon whose owning process is gone.</summary>
    /// <returns>The namespaces removed.</returns>
    internal static IReadOnlyList<string> Sweep()
    {
        SweepRootNamespaceDaemons();
        var removed = new List<string>();
        if (!Directory.Exists(NetnsDirectory))
        {
            return removed;
        }

        foreach (var path in Directory.GetFiles(NetnsDirectory, Prefix + "*"))
        {
            var name = Path.GetFileName(path);
            if (TryGetOwner(name, out var pid) && !IsAlive(pid))
            {
                Remove(name);
                removed.Add(name);
            }
        }

        return removed;
    }

    /// <summary>Kills every process inside the namespace and deletes it; tolerant of it being gone.</summary>
    public static void Remove(string name)
    {
        KillProcessesIn(name);
        Command.Run("ip", "netns", "delete", name);
        var scratch = Path.Combine(Path.GetTempPath(), "tabby-tests", name);
        try
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still held open by a dying daemon; the next sweep gets it.
        }
    }

    public static void KillProcessesIn(string name)
    {
        // Two rounds: a daemon's children may be started while the first kill is in flight.
        for (var round = 0; round < 2; round++)
        {
            var pids = Command.Run("ip", "netns", "pids", name);
            if (!pids.Succeeded || string.IsNullOrWhiteSpace(pids.StandardOutput))
            {
                return;
            }

            foreach (var line in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (int.TryParse(line, out var pid))
                {
                    Command.Run("kill", "-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>
    /// Daemons of the root namespace (etcd on loopback) keep their files under
    /// <c>tabby-tests/root-PID</c>; those of dead test processes are killed and their files removed.
    /// </summary>
    private static void SweepRootNamespaceDaemons()
    {
        var scratch = Path.Combine(Path.GetTempPath(), "tabby-tests");
        if (!Directory.Exists(scratch))
        {
            return;
        }

        foreach (var directory in Directory.GetDirectories(scratch, "root-*"))
        {
            if (!int.TryParse(Path.GetFileName(directory)["root-".Length..], out var owner) || IsAlive(owner))
            {
                continue;
            }

            foreach (var proc in Directory.GetDirectories("/proc"))
            {
                try
                {
                    var commandLine = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                    if (commandLine.Contains(directory + "/", StringComparison.Ordinal)
                        && int.TryParse(Path.GetFileName(proc), out var pid))
                    {
                        Command.Run("kill", "-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
                catch (IOException)
                {
                    // The process ended while we looked.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }

            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    internal static bool TryGetOwner(string name, out int pid)
    {
        pid = 0;
        var parts = name.Split('-');
        return parts.Length >= 3 && parts[0] + "-" == Prefix && int.TryParse(parts[1], out pid);
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}");
}
