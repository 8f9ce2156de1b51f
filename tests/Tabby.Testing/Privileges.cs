namespace Tabby.Testing;

/// <summary>Whether this process may create namespaces and start daemons.</summary>
public static class Privileges
{
    public static bool IsRoot => Tabby.Testing.Namespaces.NativeMethods.GetEffectiveUserId() == 0;

    public const string NotRootReason =
        "needs root (network namespaces); CI runs as root, run the test command with sudo locally";

    public static void EnsureRoot()
    {
        if (!IsRoot)
        {
            throw new InvalidOperationException(NotRootReason);
        }
    }
}
