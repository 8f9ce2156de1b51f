using Xunit;

namespace Tabby.Testing.Xunit;

/// <summary>A fact that needs root (namespaces, daemons); skipped with the reason when not root.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Privileges.IsRoot)
        {
            Skip = Privileges.NotRootReason;
        }
    }
}

/// <summary>A theory that needs root; skipped with the reason when not root.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (!Privileges.IsRoot)
        {
            Skip = Privileges.NotRootReason;
        }
    }
}
