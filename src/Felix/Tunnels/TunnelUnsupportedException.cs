namespace Tabby.Felix.Tunnels;

/// <summary>The kernel cannot create this kind of tunnel device (the driver is not built in or loaded).</summary>
public sealed class TunnelUnsupportedException(string kind, Exception inner)
    : Exception($"this kernel cannot create {kind} devices ({inner.Message}); load the {kind} module or use another encapsulation", inner)
{
    public string Kind { get; } = kind;
}
