namespace Tabby.Testing.Processes;

/// <summary>What a finished command left behind.</summary>
public sealed record CommandResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Throws with the command, its exit code and both streams unless it exited 0.</summary>
    public CommandResult EnsureSuccess()
    {
        if (!Succeeded)
        {
            throw new CommandFailedException(this);
        }

        return this;
    }

    public override string ToString() =>
        $"`{Command}` exited {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>A command the harness ran exited non-zero.</summary>
public sealed class CommandFailedException(CommandResult result) : Exception(result.ToString())
{
    public CommandResult Result { get; } = result;
}
