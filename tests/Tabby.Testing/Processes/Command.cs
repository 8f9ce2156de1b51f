using System.Diagnostics;
using System.Text;

namespace Tabby.Testing.Processes;

/// <summary>
/// Runs short-lived commands (ip, birdc, vtysh, gobgp, etcdctl ...) with a bounded time and captured
/// output. A command that outlives its timeout is killed with its whole process tree.
/// </summary>
public static class Command
{
    /// <summary>Default bound for one command; harness commands are quick, a hang is a bug.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static CommandResult Run(string fileName, params string[] arguments) =>
        RunAsync(fileName, arguments).GetAwaiter().GetResult();

    public static Task<CommandResult> RunAsync(string fileName, IEnumerable<string> arguments,
        TimeSpan? timeout = null, string? standardInput = null, CancellationToken cancellationToken = default) =>
        RunAsync(fileName, arguments, environment: null, timeout, standardInput, cancellationToken);

    public static async Task<CommandResult> RunAsync(string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment, TimeSpan? timeout = null, string? standardInput = null,
        CancellationToken cancellationToken = default)
    {
        var startInfo = CreateStartInfo(fileName, arguments, environment);
        startInfo.RedirectStandardInput = standardInput is not null;
        var display = Describe(startInfo);

        using var process = new Process { StartInfo = startInfo };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start `{display}`");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
            process.StandardInput.Close();
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"`{display}` did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s\n{stdout}\n{stderr}");
        }

        // WaitForExitAsync returns once the process exits; a second wait drains the output events.
        process.WaitForExit();
        return new CommandResult(display, process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    internal static ProcessStartInfo CreateStartInfo(string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                startInfo.Environment[key] = value;
            }
        }

        return startInfo;
    }

    internal static string Describe(ProcessStartInfo startInfo) =>
        string.Join(' ', new[] { startInfo.FileName }.Concat(startInfo.ArgumentList.Select(Quote)));

    internal static void TryKill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=@,+%".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
