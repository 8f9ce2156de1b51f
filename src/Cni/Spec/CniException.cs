namespace Tabby.Cni.Spec;

/// <summary>
/// A failure reported to the runtime as the specification's error object
/// (<c>{"cniVersion", "code", "msg", "details"}</c> on stdout, non-zero exit status).
/// </summary>
public sealed class CniException(CniErrorCode code, string message, string? details = null, Exception? inner = null)
    : Exception(message, inner)
{
    public CniErrorCode Code { get; } = code;

    /// <summary>Longer text for the "details" field (the underlying error), or null.</summary>
    public string? Details { get; } = details;
}
