using System.Reflection;
using System.Runtime.CompilerServices;
using Tabby.Bgp.Rib.Storage;
using Tabby.Bgp.Wire.Nlri;

namespace Tabby.Bgp.Speaker;

/// <summary>
/// Compiles the UPDATE hot paths (the methods marked <see cref="MethodImplOptions.AggressiveOptimization"/>:
/// decoding, the Loc-RIB, export, packing) when the speaker starts, on a background thread, so the
/// first burst of routes - a peer's whole table right after the session comes up - does not wait
/// for the JIT: those methods skip tiering and would otherwise be compiled fully optimized on
/// their first call, in the middle of the burst.
/// </summary>
internal static class HotPathWarmup
{
    private static int _done;

    public static void Start()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0) return;
        _ = Task.Run(Prepare);
    }

    private static void Prepare()
    {
        Type[] types;
        try
        {
            types = typeof(HotPathWarmup).Assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            // Warming up is an optimisation: prepare what loaded.
            types = e.Types.OfType<Type>().ToArray();
        }

        foreach (var type in types)
        {
            if (type.ContainsGenericParameters) continue;
            PrepareType(type);
        }

        // Generic storage, for the key types the prefix index uses.
        PrepareType(typeof(PrefixKeyTable<ulong>));
        PrepareType(typeof(PrefixKeyTable<BgpPrefix>));
    }

    private static void PrepareType(Type type)
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var instantiation = type.IsGenericType ? type.GetGenericArguments().Select(t => t.TypeHandle).ToArray() : null;
        foreach (var method in type.GetMethods(all))
        {
            if ((method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) == 0 || method.ContainsGenericParameters) continue;
            try
            {
                if (instantiation is null) RuntimeHelpers.PrepareMethod(method.MethodHandle);
                else RuntimeHelpers.PrepareMethod(method.MethodHandle, instantiation);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or BadImageFormatException)
            {
                // A method the runtime cannot prepare ahead is simply compiled on first use.
            }
        }
    }
}
