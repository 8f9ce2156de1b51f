using System.Diagnostics;
using Tabby.Testing.Namespaces;
using Tabby.Testing.Processes;
using Xunit.Abstractions;

namespace Tabby.Testing.Daemons;

/// <summary>
/// A real daemon started for one test: its config, socket, pid and log files live in a private
/// directory; it is started in the foreground (so the harness owns the process), awaited until it
/// answers, and stopped on dispose. Its log goes into the test output, which xunit shows for failed
/// tests, and into every readiness timeout message.
/// </summary>
public abstract class Daemon : IAsyncDisposable
{
    private Process? _process;
    private int _disposed;

    protected Daemon(string name, NetworkNamespace? ns, ITestOutputHelper? output)
    {
        NamespaceJanitor.SweepOnce();
        Name = name;
        Namespace = ns;
        Output = output;
        var root = ns?.ScratchDirectory ?? Path.Combine(Path.GetTempPath(), "tabby-tests", $"root-{Environment.ProcessId}");
        WorkDirectory = Path.Combine(root, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(WorkDirectory);
        LogFile = Path.Combine(WorkDirectory, name + ".log");
    }

    /// <summary>Short name used for files and messages (bird, bgpd, gobgpd, exabgp, etcd).</summary>
    public string Name { get; }

    /// <summary>The namespace the daemon runs in; null for the root namespace (loopback-only daemons).</summary>
    public NetworkNamespace? Namespace { get; }

    /// <summary>Private directory with config, sockets, pid file and log.</summary>
    public string WorkDirectory { get; }

    public string LogFile { get; }

    protected ITestOutputHelper? Output { get; }

    /// <summary>How long <see cref="StartAsync"/> waits for the daemon to answer.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The process id of the daemon (the `ip netns exec` wrapper execs into it, so it is the same).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException($"{Name} is not started");

    /// <summary>Writes the config, starts the daemon and waits until <see cref="IsReadyAsync"/> is true.</summary>
    public async Task StartAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException($"{Name} already started");
        }

        var (file, arguments, environment) = PrepareCommand();
        _process = Namespace is null
            ? StartInRoot(file, arguments, environment)
            : Namespace.StartProcess(file, arguments, LogFile, environment);
        await Wait.UntilAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} while starting\n{ReadLog()}");
                }

                return await IsReadyAsync().ConfigureAwait(false);
            },
            StartTimeout,
            $"{Name} to become ready",
            () => Task.FromResult(ReadLog())).ConfigureAwait(false);
    }

    /// <summary>Stops the daemon with SIGTERM (SIGKILL after a grace period); it may be started again.</summary>
    public async Task StopAsync(bool kill = false)
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            Command.Run("kill", kill ? "-KILL" : "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Command.TryKill(process);
            }
        }

        process.Dispose();
    }

    /// <summary>Restarts the daemon with the same config.</summary>
    public async Task RestartAsync(bool kill = false)
    {
        await StopAsync(kill).ConfigureAwait(false);
        await StartAsync().ConfigureAwait(false);
    }

    /// <summary>The daemon's log so far (truncated at the front when huge).</summary>
    public string ReadLog(int maxChars = 20_000)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            return text.Length <= maxChars ? text : "...\n" + text[^maxChars..];
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    /// <summary>The program, its arguments and extra environment; the config is written here.</summary>
    protected abstract (string File, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string>? Environment) PrepareCommand();

    /// <summary>True once the daemon answers its control interface.</summary>
    protected abstract Task<bool> IsReadyAsync();

    /// <summary>Runs a command in the daemon's namespace (or the root namespace).</summary>
    protected Task<CommandResult> RunHereAsync(string file, params string[] arguments) =>
        Namespace is null ? Command.RunAsync(file, arguments) : Namespace.RunAsync(file, arguments);

    protected string PathOf(string fileName) => Path.Combine(WorkDirectory, fileName);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        if (Output is not null)
        {
            try
            {
                Output.WriteLine($"===== {Name} log ({LogFile}) =====\n{ReadLog()}");
            }
            catch (InvalidOperationException)
            {
                // The test already finished; xunit no longer accepts output.
            }
        }

        OnDisposed();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a derived supervisor holds besides the process.</summary>
    protected virtual void OnDisposed()
    {
    }

    private Process StartInRoot(string file, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var startInfo = Command.CreateStartInfo(file, arguments, environment);
        var process = new Process { StartInfo = startInfo };
        var log = new StreamWriter(LogFile, append: true) { AutoFlush = true };
        var gate = new Lock();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { log.WriteLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
