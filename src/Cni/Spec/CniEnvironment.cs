using System.Text.RegularExpressions;

namespace Tabby.Cni.Spec;

/// <summary>
/// The CNI_* parameters a runtime passes in the environment (SPEC.md "Parameters"), validated as
/// the specification requires: which are needed depends on the command (ADD/CHECK need the
/// container ID, network namespace and interface name; DEL needs the container ID and interface
/// name and tolerates an empty netns; VERSION, STATUS and GC need none).
/// </summary>
public sealed partial record CniEnvironment
{
    public required CniCommand Command { get; init; }

    /// <summary>CNI_CONTAINERID: alphanumerics first, then alphanumerics, '_', '.', '-'.</summary>
    public string ContainerId { get; init; } = "";

    /// <summary>CNI_NETNS: path of the container's network namespace (may be empty on DEL).</summary>
    public string NetNs { get; init; } = "";

    /// <summary>CNI_IFNAME: the interface to create inside the container.</summary>
    public string IfName { get; init; } = "";

    /// <summary>CNI_ARGS, parsed.</summary>
    public CniArgs Args { get; init; } = CniArgs.Empty;

    /// <summary>CNI_PATH: where the runtime looks for plugins.</summary>
    public IReadOnlyList<string> Path { get; init; } = [];

    public static CniEnvironment Read(Func<string, string?> get)
    {
        var commandText = get("CNI_COMMAND");
        if (string.IsNullOrEmpty(commandText))
        {
            throw new CniException(CniErrorCode.InvalidEnvironment, "CNI_COMMAND is not set (ADD, DEL, CHECK, VERSION, STATUS, GC)");
        }

        var command = commandText.ToUpperInvariant() switch
        {
            "ADD" => CniCommand.Add,
            "DEL" => CniCommand.Del,
            "CHECK" => CniCommand.Check,
            "VERSION" => CniCommand.Version,
            "STATUS" => CniCommand.Status,
            "GC" => CniCommand.Gc,
            _ => throw new CniException(CniErrorCode.InvalidEnvironment, $"CNI_COMMAND \"{commandText}\" is not one of ADD, DEL, CHECK, VERSION, STATUS, GC"),
        };

        var environment = new CniEnvironment
        {
            Command = command,
            ContainerId = get("CNI_CONTAINERID") ?? "",
            NetNs = get("CNI_NETNS") ?? "",
            IfName = get("CNI_IFNAME") ?? "",
            Args = CniArgs.Parse(get("CNI_ARGS")),
            Path = (get("CNI_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries),
        };
        environment.Validate();
        return environment;
    }

    private void Validate()
    {
        if (Command is CniCommand.Version or CniCommand.Status or CniCommand.Gc)
        {
            return;
        }

        if (string.IsNullOrEmpty(ContainerId))
        {
            throw new CniException(CniErrorCode.InvalidEnvironment, $"CNI_CONTAINERID is required for {Command.ToString().ToUpperInvariant()}");
        }

        if (!ContainerIdPattern().IsMatch(ContainerId))
        {
            throw new CniException(CniErrorCode.InvalidEnvironment,
                $"CNI_CONTAINERID \"{ContainerId}\" must start with a letter or digit and contain only letters, digits, '_', '.' and '-'");
        }

        if (string.IsNullOrEmpty(IfName))
        {
            throw new CniException(CniErrorCode.InvalidEnvironment, $"CNI_IFNAME is required for {Command.ToString().ToUpperInvariant()}");
        }

        // Linux interface names (the spec defers to the OS): 1-15 bytes, no '/', ':' or whitespace, not "." or "..".
        if (IfName.Length > 15 || IfName is "." or ".." || IfName.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || c > 0x7e))
        {
            throw new CniException(CniErrorCode.InvalidEnvironment, $"CNI_IFNAME \"{IfName}\" is not a valid interface name (1-15 characters, no '/', ':' or spaces)");
        }

        if (Command is CniCommand.Add or CniCommand.Check && string.IsNullOrEmpty(NetNs))
        {
            throw new CniException(CniErrorCode.InvalidEnvironment, $"CNI_NETNS is required for {Command.ToString().ToUpperInvariant()}");
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$")]
    private static partial Regex ContainerIdPattern();
}
