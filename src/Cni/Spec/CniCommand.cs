namespace Tabby.Cni.Spec;

/// <summary>The operations of CNI_COMMAND (SPEC.md "Parameters").</summary>
public enum CniCommand
{
    Add,
    Del,
    Check,
    Version,
    Status,
    Gc,
}
