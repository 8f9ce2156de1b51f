namespace Tabby.Node.Configuration;

/// <summary>One bad setting: its name (environment variable / config key), the value and what is wrong.</summary>
public sealed record SettingError(string Setting, string? Value, string Problem)
{
    public override string ToString() => Value is null ? $"{Setting}: {Problem}" : $"{Setting}=\"{Value}\": {Problem}";
}

/// <summary>The agent cannot start because of its configuration; every bad setting is listed.</summary>
public sealed class SettingsException(IReadOnlyList<SettingError> errors)
    : Exception("invalid configuration:\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<SettingError> Errors { get; } = errors;
}
